"""The named worlds of the lab: one domain each, its MX hosts and the verdicts expected.

The DNS side of each scenario lives in `zones/<domain>.zone`; the addresses below must
match the A records there (the lab's tests check it). 127.0.0.1 is kept for the DNS server,
MX hosts start at 127.0.0.10 (127.0.0.21 is deliberately left without a server).
"""

from __future__ import annotations

from rgpd_audit.lab import (
    scenarios_auth,
    scenarios_dnssec,
    scenarios_internal,
    scenarios_policies,
    scenarios_tls,
)
from rgpd_audit.lab.misbehaving_smtp import Misbehaviour
from rgpd_audit.lab.pki import CertKind
from rgpd_audit.lab.scenario_types import (
    FAIL,
    INDETERMINATE,
    NOT_APPLICABLE,
    PASS,
    LabHost,
    Scenario,
)
from rgpd_audit.lab.scenarios_tls import DEPTH_CHECKS, TLS_CHAIN, TLS_VERSIONS

MX_PRESENT = "mail.mx.present"
STARTTLS_OFFERED = "mail.starttls.offered"
TLS_CERTIFICATE = "mail.tls.certificate"
PROVIDER_CONSUMER = "mail.provider.consumer"

#: Markup that a report must show as text, never interpret.
INJECTION_BANNER = '<script>alert("x")</script>'
INJECTION_TXT = "<img src=x onerror=alert(1)>"


def _all(status: str) -> dict[str, str]:
    return dict.fromkeys(
        (MX_PRESENT, STARTTLS_OFFERED, TLS_CERTIFICATE, PROVIDER_CONSUMER, *DEPTH_CHECKS), status
    )


def _tls(status: str) -> dict[str, str]:
    return dict.fromkeys((TLS_CERTIFICATE, *DEPTH_CHECKS), status)


def _mx_only(mx_status: str) -> dict[str, str]:
    return {
        **_all(NOT_APPLICABLE),
        MX_PRESENT: mx_status,
    }


_BAD_CERT = {**_all(PASS), TLS_CERTIFICATE: FAIL}
# A self-signed certificate has no chain to judge.
_SELF_SIGNED = {**_BAD_CERT, TLS_CHAIN: NOT_APPLICABLE}
_NO_STARTTLS = {**_all(PASS), **_tls(NOT_APPLICABLE), STARTTLS_OFFERED: FAIL}
# The MX exists but the conversation stops before STARTTLS can be judged.
_INCONCLUSIVE = {
    **_all(PASS),
    **_tls(INDETERMINATE),
    STARTTLS_OFFERED: INDETERMINATE,
}

_TRANSPORT_SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "demo",
        "cabinet-exemple.fr",
        "Cabinet de démonstration : deux MX, dont un certificat qui expire dans 20 jours.",
        dict(_BAD_CERT),
    ),
    Scenario(
        "conforme",
        "cabinet-conforme.fr",
        "Messagerie conforme : un MX, STARTTLS proposé, certificat valide.",
        _all(PASS),
    ),
    Scenario(
        "sans-starttls",
        "sans-starttls.fr",
        "Le serveur de messagerie ne propose pas STARTTLS : le courrier circule en clair.",
        dict(_NO_STARTTLS),
    ),
    Scenario(
        "cert-expire",
        "cert-expire.fr",
        "Certificat signé par l'autorité du laboratoire mais expiré.",
        dict(_BAD_CERT),
    ),
    Scenario(
        "cert-autre-nom",
        "cert-autre-nom.fr",
        "Certificat valide mais émis pour un autre nom de serveur.",
        dict(_BAD_CERT),
    ),
    Scenario(
        "cert-autosigne",
        "cert-autosigne.fr",
        "Certificat auto-signé, encore dans sa période de validité.",
        dict(_SELF_SIGNED),
    ),
    Scenario(
        "cert-autosigne-expire",
        "cert-autosigne-expire.fr",
        "Certificat auto-signé et expiré.",
        dict(_SELF_SIGNED),
    ),
    Scenario(
        "mx-grand-public",
        "mx-grand-public.fr",
        "Le courrier du cabinet est reçu par une messagerie grand public (Orange).",
        {**_all(PASS), PROVIDER_CONSUMER: FAIL},
    ),
    Scenario(
        "sans-mx",
        "sans-mx.fr",
        "Aucun enregistrement MX : le domaine n'a qu'une adresse IPv4.",
        _mx_only(FAIL),
    ),
    Scenario(
        "mx-nul",
        "mx-nul.fr",
        "MX nul (RFC 7505) : le domaine déclare explicitement ne recevoir aucun courrier.",
        _mx_only(PASS),
    ),
    Scenario(
        "mx-sans-adresse",
        "mx-sans-adresse.fr",
        "Le MX désigne un nom de serveur qui n'a aucune adresse IP.",
        # No address to probe: the transport checks cannot conclude (reason "dns").
        {
            **_tls(INDETERMINATE),
            MX_PRESENT: FAIL,
            STARTTLS_OFFERED: INDETERMINATE,
            PROVIDER_CONSUMER: PASS,
        },
    ),
    Scenario(
        "mx-muet",
        "mx-muet.fr",
        "Le serveur de messagerie accepte la connexion mais n'envoie jamais de bannière.",
        dict(_INCONCLUSIVE),
    ),
    Scenario(
        "injection",
        "injection.fr",
        "Bannière SMTP et enregistrement TXT contenant du HTML, pour tester l'échappement.",
        _all(PASS),
    ),
    Scenario(
        "mx-421",
        "mx-421.fr",
        "Le serveur de messagerie répond 421 (trop de connexions) dès l'accueil et raccroche.",
        dict(_INCONCLUSIVE),
    ),
    Scenario(
        "starttls-refuse",
        "starttls-refuse.fr",
        "Le serveur annonce STARTTLS mais le refuse (454, indisponibilité temporaire).",
        dict(_INCONCLUSIVE),
    ),
    Scenario(
        "tls-casse",
        "tls-casse.fr",
        "Le serveur accepte STARTTLS mais la négociation TLS échoue : il répond autre chose.",
        # STARTTLS offered but unusable: mail would fall back to clear text.
        {**_all(PASS), **_tls(INDETERMINATE), STARTTLS_OFFERED: FAIL},
    ),
    Scenario(
        "ehlo-refuse",
        "ehlo-refuse.fr",
        "Serveur ancien, antérieur à ESMTP : il refuse EHLO, accepte HELO, ignore STARTTLS.",
        dict(_NO_STARTTLS),
    ),
    Scenario(
        "tls-obsolete",
        "tls-obsolete.fr",
        "Serveur de messagerie limité à TLS 1.0, avec un certificat valide.",
        {**_all(PASS), TLS_VERSIONS: FAIL},
    ),
    Scenario(
        "mx-secours",
        "mx-secours.fr",
        "Le MX de secours est dans une zone DNS qui ne répond pas ; le MX principal est sain.",
        # The main MX is judged; the MX records as a whole cannot be (reason "dns").
        {**_all(PASS), MX_PRESENT: INDETERMINATE},
    ),
    Scenario(
        "mx-filtre",
        "mx-filtre.fr",
        "Le port du serveur de messagerie ne répond pas (filtré) : la connexion expire.",
        dict(_INCONCLUSIVE),
    ),
)

_TRANSPORT_HOSTS: tuple[LabHost, ...] = (
    LabHost("mx1.cabinet-exemple.fr", "127.0.0.10", "demo"),
    LabHost("mx2.cabinet-exemple.fr", "127.0.0.11", "demo", cert=CertKind.EXPIRING),
    LabHost("mx.cabinet-conforme.fr", "127.0.0.12", "conforme"),
    LabHost("mx.sans-starttls.fr", "127.0.0.13", "sans-starttls", cert=None),
    LabHost("mx.cert-expire.fr", "127.0.0.14", "cert-expire", cert=CertKind.EXPIRED),
    LabHost("mx.cert-autre-nom.fr", "127.0.0.15", "cert-autre-nom", cert=CertKind.WRONG_HOST),
    LabHost("mx.cert-autosigne.fr", "127.0.0.16", "cert-autosigne", cert=CertKind.SELF_SIGNED),
    LabHost(
        "mx.cert-autosigne-expire.fr",
        "127.0.0.17",
        "cert-autosigne-expire",
        cert=CertKind.SELF_SIGNED_EXPIRED,
    ),
    LabHost("smtp-in.orange.fr", "127.0.0.18", "mx-grand-public"),
    LabHost("mx.mx-muet.fr", "127.0.0.19", "mx-muet", cert=None, mute=True),
    LabHost(
        "mx.injection.fr",
        "127.0.0.20",
        "injection",
        ident=f"ESMTP {INJECTION_BANNER}",
    ),
    LabHost("mx.mx-421.fr", "127.0.0.22", "mx-421", cert=None, misbehaviour=Misbehaviour.BUSY),
    LabHost(
        "mx.starttls-refuse.fr",
        "127.0.0.23",
        "starttls-refuse",
        cert=None,
        misbehaviour=Misbehaviour.STARTTLS_REFUSED,
    ),
    LabHost(
        "mx.tls-casse.fr",
        "127.0.0.24",
        "tls-casse",
        cert=None,
        misbehaviour=Misbehaviour.TLS_BROKEN,
    ),
    LabHost(
        "mx.ehlo-refuse.fr",
        "127.0.0.25",
        "ehlo-refuse",
        cert=None,
        # "ESMTP" in a greeting announces EHLO support, which this server lacks.
        ident="SMTP laboratoire rgpd-audit",
        misbehaviour=Misbehaviour.NO_EHLO,
    ),
    LabHost(
        "mx.mx-filtre.fr", "127.0.0.26", "mx-filtre", cert=None, misbehaviour=Misbehaviour.FILTERED
    ),
    LabHost("mx.mx-secours.fr", "127.0.0.27", "mx-secours"),
    LabHost("mx.tls-obsolete.fr", "127.0.0.28", "tls-obsolete", legacy_tls=True),
)

_FAMILIES = (
    scenarios_auth,
    scenarios_policies,
    scenarios_tls,
    scenarios_dnssec,
    scenarios_internal,
)

#: Every scenario of the lab; each family of checks keeps its own in `scenarios_<family>.py`.
SCENARIOS: tuple[Scenario, ...] = _TRANSPORT_SCENARIOS + tuple(
    scenario for family in _FAMILIES for scenario in family.SCENARIOS
)
HOSTS: tuple[LabHost, ...] = _TRANSPORT_HOSTS + tuple(
    host for family in _FAMILIES for host in family.HOSTS
)

#: Apex address of `sans-mx.fr`: nothing listens there, so a client that wrongly falls
#: back to the A record (implicit MX) gets "connection refused", still on loopback.
SANS_MX_ADDRESS = "127.0.0.21"


def scenarios_by_name() -> dict[str, Scenario]:
    """Return fresh copies of the scenarios keyed by name, safe for the caller to mutate."""
    return {
        scenario.name: Scenario(
            scenario.name, scenario.domain, scenario.description, dict(scenario.expected)
        )
        for scenario in SCENARIOS
    }
