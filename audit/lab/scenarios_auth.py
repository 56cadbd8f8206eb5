"""Lab scenarios of the SPF and DMARC checks: DNS only, one zone each under labo-rgpd.fr.

Addresses of this family's hosts: 127.0.0.30–39. No server listens there: the scenarios'
MX point to 127.0.0.30 only so that the domains count as receiving mail (a domain without
MX is expected to publish `p=reject`), and the transport checks end at once.
"""

from __future__ import annotations

from rgpd_audit.lab.scenario_types import (
    FAIL,
    INDETERMINATE,
    NOT_APPLICABLE,
    PASS,
    LabHost,
    Scenario,
    lab_scenario,
)

SPF_IDS = (
    "mail.spf.present",
    "mail.spf.valid",
    "mail.spf.lookups",
    "mail.spf.all",
    "mail.spf.ptr",
    "mail.spf.size",
)
DMARC_IDS = (
    "mail.dmarc.present",
    "mail.dmarc.valid",
    "mail.dmarc.policy",
    "mail.dmarc.reporting",
    "mail.dmarc.report_jurisdiction",
)

_SPF_OK = dict.fromkeys(SPF_IDS, PASS)
# Reports go to the scenario's own domain: nothing leaves the organisation.
_DMARC_OK = dict.fromkeys(DMARC_IDS, PASS)
_SPF_UNUSABLE = {"mail.spf.present": PASS, "mail.spf.valid": FAIL} | dict.fromkeys(
    ("mail.spf.lookups", "mail.spf.all", "mail.spf.ptr"), NOT_APPLICABLE
)
_DMARC_NONE = {"mail.dmarc.present": FAIL} | dict.fromkeys(DMARC_IDS[1:], NOT_APPLICABLE)


SCENARIOS: tuple[Scenario, ...] = (
    lab_scenario(
        "spf-conforme",
        "SPF avec un include imbriqué et ~all, DMARC p=reject avec rapports sur le domaine.",
        _SPF_OK | _DMARC_OK,
    ),
    lab_scenario(
        "spf-absent",
        "Aucun enregistrement SPF (seulement un TXT sans rapport).",
        {"mail.spf.present": FAIL, "mail.spf.lookups": NOT_APPLICABLE},
    ),
    lab_scenario(
        "spf-espace",
        "Le texte SPF commence par une espace : les destinataires l'ignorent.",
        {"mail.spf.present": FAIL, "mail.spf.valid": NOT_APPLICABLE},
    ),
    lab_scenario(
        "spf-double",
        "Deux enregistrements SPF : erreur permanente chez les destinataires.",
        {"mail.spf.present": FAIL, "mail.spf.valid": NOT_APPLICABLE},
    ),
    lab_scenario(
        "spf-syntaxe",
        "Adresse IPv4 invalide dans l'enregistrement SPF.",
        _SPF_UNUSABLE | {"mail.spf.size": PASS},
    ),
    lab_scenario(
        "spf-trop-de-requetes",
        "Quatre include contenant chacun deux include : 12 requêtes DNS pour 10 permises.",
        _SPF_OK | {"mail.spf.lookups": FAIL},
    ),
    lab_scenario(
        "spf-vides",
        "Trois mécanismes désignent des noms inexistants : 3 requêtes vides pour 2 permises.",
        _SPF_OK | {"mail.spf.lookups": FAIL},
    ),
    lab_scenario(
        "spf-boucle",
        "Boucle d'inclusion : _a inclut _b, qui inclut _a.",
        _SPF_OK | {"mail.spf.lookups": FAIL},
    ),
    lab_scenario(
        "spf-redirect",
        "SPF délégué par redirect= vers un enregistrement terminé par -all.",
        _SPF_OK | _DMARC_OK,
    ),
    lab_scenario(
        "spf-plus-all",
        "+all : tous les serveurs d'Internet sont autorisés.",
        _SPF_OK | {"mail.spf.all": FAIL},
    ),
    lab_scenario(
        "spf-neutre", "?all : serveurs non listés neutres.", _SPF_OK | {"mail.spf.all": FAIL}
    ),
    lab_scenario(
        "spf-sans-all",
        "Enregistrement SPF sans « all » final.",
        _SPF_OK | {"mail.spf.all": FAIL},
    ),
    lab_scenario("spf-ptr", "Mécanisme ptr déconseillé.", _SPF_OK | {"mail.spf.ptr": FAIL}),
    lab_scenario(
        "spf-long",
        "Enregistrement SPF de plus de 450 octets réparti sur deux chaînes.",
        _SPF_OK | {"mail.spf.size": FAIL},
    ),
    lab_scenario(
        "spf-include-absent",
        "Include d'un nom qui n'existe pas : erreur permanente.",
        _SPF_OK | {"mail.spf.valid": FAIL},
    ),
    lab_scenario(
        "spf-sans-courrier",
        "MX nul, ni SPF ni DMARC : le domaine doit se déclarer non expéditeur.",
        {"mail.spf.present": FAIL, "mail.dmarc.present": FAIL},
    ),
    lab_scenario(
        "dmarc-absent",
        "Aucun enregistrement DMARC : seule la politique du suffixe parent (psd=y) s'applique.",
        _SPF_OK | _DMARC_NONE,
    ),
    lab_scenario(
        "dmarc-surveillance",
        "p=none : surveillance seule.",
        _DMARC_OK | {"mail.dmarc.policy": FAIL},
    ),
    lab_scenario(
        "dmarc-test",
        "p=quarantine en mode test (t=y) : politique effective none.",
        _DMARC_OK | {"mail.dmarc.policy": FAIL},
    ),
    lab_scenario(
        "dmarc-obsolete",
        "Tags pct, rf et ri supprimés par la RFC 9989.",
        _DMARC_OK | {"mail.dmarc.valid": FAIL},
    ),
    lab_scenario("dmarc-inconnu", "Tag inconnu, ignoré avec une remarque.", dict(_DMARC_OK)),
    lab_scenario(
        "dmarc-sans-rua",
        "p=reject sans adresse de rapports agrégés.",
        _DMARC_OK
        | {"mail.dmarc.reporting": FAIL, "mail.dmarc.report_jurisdiction": NOT_APPLICABLE},
    ),
    lab_scenario(
        "dmarc-rua-externe",
        "Rapports envoyés à un autre domaine qui ne les accepte pas.",
        _DMARC_OK | {"mail.dmarc.reporting": FAIL, "mail.dmarc.report_jurisdiction": FAIL},
    ),
    lab_scenario(
        "dmarc-rua-autorise",
        "Rapports envoyés à un autre domaine qui publie son accord.",
        _DMARC_OK | {"mail.dmarc.report_jurisdiction": FAIL},
    ),
    lab_scenario(
        "dmarc-hors-ue",
        "Rapports agrégés confiés à un service connu établi hors de l'Union européenne.",
        # The receiver's real domain is outside the lab, whose server refuses it: its consent
        # cannot be read (indeterminate), its country comes from the data file.
        _DMARC_OK | {"mail.dmarc.reporting": INDETERMINATE, "mail.dmarc.report_jurisdiction": FAIL},
    ),
    lab_scenario(
        "dmarc-multiple",
        "Deux enregistrements DMARC : les destinataires les ignorent tous.",
        _DMARC_NONE,
    ),
    lab_scenario(
        "dmarc-sous-domaines",
        "p=reject mais sp=none laisse les sous-domaines sans protection.",
        _DMARC_OK | {"mail.dmarc.policy": FAIL},
    ),
    lab_scenario(
        "dmarc-p-invalide",
        "p=rejet n'est pas une politique : les destinataires lisent none.",
        _DMARC_OK | {"mail.dmarc.valid": FAIL, "mail.dmarc.policy": FAIL},
    ),
    lab_scenario(
        "dmarc-arbre",
        "Sous-domaine profond sans enregistrement : le parcours de l'arbre DNS trouve la "
        "politique du domaine d'organisation (sp=quarantine).",
        _SPF_OK | _DMARC_OK,
        host="boite.service.site.",
    ),
)
HOSTS: tuple[LabHost, ...] = ()
