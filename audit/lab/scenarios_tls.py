"""Lab scenarios of the TLS depth, client protocol and hostile server checks.

Addresses of this family's hosts: 127.0.0.40–79 (MX hosts from .40, hostile servers from
.50, mail client servers from .60). Every domain sits under the parent test zone
labo-rgpd.fr, in `zones/<domain>.zone`.
"""

from __future__ import annotations

from rgpd_audit.lab.client_servers import ClientLabHost
from rgpd_audit.lab.misbehaving_smtp import Misbehaviour
from rgpd_audit.lab.pki import CertKind, TlsProfile
from rgpd_audit.lab.scenario_types import (
    FAIL,
    INDETERMINATE,
    NOT_APPLICABLE,
    PASS,
    LabHost,
    Scenario,
)

STARTTLS_OFFERED = "mail.starttls.offered"
TLS_CERTIFICATE = "mail.tls.certificate"
TLS_VERSIONS = "mail.tls.versions"
TLS_CIPHERS = "mail.tls.ciphers"
TLS_KEY = "mail.tls.certificate_key"
TLS_CHAIN = "mail.tls.chain"
CLIENT_ENCRYPTION = "mail.client_tls.encryption"
CLIENT_CERTIFICATE = "mail.client_tls.certificate"
CLIENT_LOGIN = "mail.client_tls.plaintext_login"
#: The checks this family adds on top of the STARTTLS probe.
DEPTH_CHECKS = (TLS_VERSIONS, TLS_CIPHERS, TLS_KEY, TLS_CHAIN)
_TRANSPORT = (STARTTLS_OFFERED, TLS_CERTIFICATE, *DEPTH_CHECKS)


def _transport(status: str, **overrides: str) -> dict[str, str]:
    """Every transport check at `status`, except the ones named (dots as double underscores)."""
    expected = dict.fromkeys(_TRANSPORT, status)
    expected.update({key.replace("__", "."): value for key, value in overrides.items()})
    return expected


def _hostile(starttls: str) -> dict[str, str]:
    # The conversation stops before any TLS fact can be read.
    return {**_transport(INDETERMINATE), STARTTLS_OFFERED: starttls}


_MX_SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "tls-13",
        "tls-13.labo-rgpd.fr",
        "Serveur de messagerie qui n'accepte que TLS 1.3.",
        _transport(PASS),
    ),
    Scenario(
        "tls-intermediaire",
        "tls-intermediaire.labo-rgpd.fr",
        "Certificat émis par une autorité intermédiaire, envoyée par le serveur.",
        _transport(PASS),
    ),
    Scenario(
        "tls-chaine-incomplete",
        "tls-chaine-incomplete.labo-rgpd.fr",
        "Certificat émis par une autorité intermédiaire que le serveur n'envoie pas.",
        _transport(PASS, mail__tls__chain=FAIL, mail__tls__certificate=FAIL),
    ),
    Scenario(
        "tls-expire-60",
        "tls-expire-60.labo-rgpd.fr",
        "Certificat valide qui expire dans 45 jours (alerte à 60 jours, gravité faible).",
        _transport(PASS, mail__tls__certificate=FAIL),
    ),
    Scenario(
        "tls-une-connexion",
        "tls-une-connexion.labo-rgpd.fr",
        "Serveur qui répond 421 à toute connexion ouverte pendant qu'une autre l'est encore.",
        _transport(PASS),
    ),
    Scenario(
        "tls-suites-faibles",
        "tls-suites-faibles.labo-rgpd.fr",
        "Serveur moderne qui accepte aussi des suites anonymes et sans chiffrement.",
        _transport(PASS, mail__tls__ciphers=FAIL),
    ),
    Scenario(
        "hostile-liste-grise",
        "hostile-liste-grise.labo-rgpd.fr",
        "Liste grise : le serveur répond 451 (réessayez plus tard) à EHLO et HELO.",
        _transport(INDETERMINATE),
    ),
    Scenario(
        "hostile-banniere",
        "hostile-banniere.labo-rgpd.fr",
        "Serveur hostile : bannière SMTP de 1 Mio.",
        _hostile(INDETERMINATE),
    ),
    Scenario(
        "hostile-goutte",
        "hostile-goutte.labo-rgpd.fr",
        "Serveur hostile : envoie sa bannière un octet par seconde.",
        _hostile(INDETERMINATE),
    ),
    Scenario(
        "hostile-negociation",
        "hostile-negociation.labo-rgpd.fr",
        "Serveur hostile : accepte STARTTLS puis ne répond jamais à la négociation TLS.",
        _hostile(INDETERMINATE),
    ),
    Scenario(
        "hostile-dechets",
        "hostile-dechets.labo-rgpd.fr",
        "Serveur hostile : accepte STARTTLS puis envoie 1 Mio d'octets aléatoires.",
        # Like tls-casse: STARTTLS is announced but no sender could ever use it.
        _hostile(FAIL),
    ),
)


def _client(encryption: str, certificate: str, login: str) -> dict[str, str]:
    return {CLIENT_ENCRYPTION: encryption, CLIENT_CERTIFICATE: certificate, CLIENT_LOGIN: login}


#: Client scenarios: the hosts staff use to read and send mail, announced by SRV records.
CLIENT_SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "client-conforme",
        "client-conforme.labo-rgpd.fr",
        "IMAP, POP3 et soumission annoncés par SRV : TLS implicite, ou STARTTLS sans "
        "connexion possible avant TLS, certificat valide.",
        _client(PASS, PASS, PASS),
    ),
    Scenario(
        "client-en-clair",
        "client-en-clair.labo-rgpd.fr",
        "IMAP, POP3 et soumission sans aucun chiffrement, mot de passe accepté en clair.",
        _client(FAIL, NOT_APPLICABLE, FAIL),
    ),
    Scenario(
        "client-login-avant-tls",
        "client-login-avant-tls.labo-rgpd.fr",
        "STARTTLS proposé, mais le mot de passe est aussi accepté avant le chiffrement.",
        _client(PASS, PASS, FAIL),
    ),
    Scenario(
        "client-cert-expire",
        "client-cert-expire.labo-rgpd.fr",
        "IMAP et soumission en TLS implicite avec un certificat expiré.",
        _client(PASS, FAIL, NOT_APPLICABLE),
    ),
    Scenario(
        "client-fournisseur",
        "client-fournisseur.labo-rgpd.fr",
        "Aucun SRV ; MX chez OVHcloud : les hôtes viennent de la liste de l'outil, et ne se "
        "résolvent pas dans le laboratoire.",
        _client(INDETERMINATE, INDETERMINATE, INDETERMINATE),
    ),
    Scenario(
        "client-aucun",
        "client-aucun.labo-rgpd.fr",
        "Le domaine déclare par SRV (cible « . ») ne proposer ni IMAP, ni POP3, ni soumission.",
        _client(NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE),
    ),
)

CLIENT_HOSTS: tuple[ClientLabHost, ...] = (
    ClientLabHost("mail.client-conforme.labo-rgpd.fr", "127.0.0.60", "client-conforme"),
    ClientLabHost(
        "mail.client-en-clair.labo-rgpd.fr",
        "127.0.0.61",
        "client-en-clair",
        cert=None,
        clear_login=True,
    ),
    ClientLabHost(
        "mail.client-login-avant-tls.labo-rgpd.fr",
        "127.0.0.62",
        "client-login-avant-tls",
        clear_login=True,
    ),
    ClientLabHost(
        "mail.client-cert-expire.labo-rgpd.fr",
        "127.0.0.63",
        "client-cert-expire",
        cert=CertKind.EXPIRED,
    ),
    # Mail clients of the two practices of the transport scenarios (SRV in their zones).
    ClientLabHost("mail.cabinet-conforme.fr", "127.0.0.29", "conforme"),
    # The demo practice's mail server still accepts a password before TLS on submission.
    ClientLabHost("mail.cabinet-exemple.fr", "127.0.0.9", "demo", clear_login=True),
)

_HOSTILE = {
    "hostile-liste-grise": (Misbehaviour.GREYLISTED, "127.0.0.50"),
    "hostile-banniere": (Misbehaviour.HUGE_BANNER, "127.0.0.51"),
    "hostile-goutte": (Misbehaviour.DRIP, "127.0.0.52"),
    "hostile-negociation": (Misbehaviour.STALL_HANDSHAKE, "127.0.0.53"),
    "hostile-dechets": (Misbehaviour.GARBAGE_AFTER_STARTTLS, "127.0.0.54"),
}

HOSTS: tuple[LabHost, ...] = (
    LabHost("mx.tls-13.labo-rgpd.fr", "127.0.0.40", "tls-13", tls_profile=TlsProfile.TLS13_ONLY),
    LabHost(
        "mx.tls-intermediaire.labo-rgpd.fr",
        "127.0.0.41",
        "tls-intermediaire",
        cert=CertKind.INTERMEDIATE,
    ),
    LabHost(
        "mx.tls-chaine-incomplete.labo-rgpd.fr",
        "127.0.0.42",
        "tls-chaine-incomplete",
        cert=CertKind.INTERMEDIATE_MISSING,
    ),
    LabHost(
        "mx.tls-expire-60.labo-rgpd.fr",
        "127.0.0.43",
        "tls-expire-60",
        cert=CertKind.EXPIRING_LATER,
    ),
    LabHost(
        "mx.tls-une-connexion.labo-rgpd.fr",
        "127.0.0.44",
        "tls-une-connexion",
        single_connection=True,
    ),
    LabHost(
        "mx.tls-suites-faibles.labo-rgpd.fr",
        "127.0.0.45",
        "tls-suites-faibles",
        tls_profile=TlsProfile.WEAK_CIPHERS,
    ),
    *(
        LabHost(f"mx.{name}.labo-rgpd.fr", address, name, cert=None, misbehaviour=behaviour)
        for name, (behaviour, address) in _HOSTILE.items()
    ),
)

#: DNS-side hostility: CNAME loops where the MX address and an SPF include are looked up.
_CNAME_LOOP = Scenario(
    "hostile-cname",
    "hostile-cname.labo-rgpd.fr",
    "Le nom du MX et un include SPF sont des boucles de CNAME : rien ne tourne sans fin.",
    {
        "mail.mx.present": INDETERMINATE,
        STARTTLS_OFFERED: INDETERMINATE,
        TLS_CERTIFICATE: INDETERMINATE,
        "mail.spf.lookups": INDETERMINATE,
    },
)

SCENARIOS: tuple[Scenario, ...] = (*_MX_SCENARIOS, *CLIENT_SCENARIOS, _CNAME_LOOP)
