"""Lab scenarios of the DNSSEC and DANE checks.

Addresses of this family's hosts: 127.0.0.100–119. Which zones are signed, and how, is
decided here; the signing itself happens at lab start-up (`dnssec_zones.py`), since keys,
signatures and the TLSA records of freshly made certificates cannot be shipped as files.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rgpd_audit.lab.pki import CertKind
from rgpd_audit.lab.scenario_types import FAIL, NOT_APPLICABLE, PASS, LabHost, Scenario

CHAIN = "dns.dnssec.chain"
DANE_TLSA = "mail.dane.tlsa"
DANE_MATCH = "mail.dane.match"
DANE_ROLLOVER = "mail.dane.rollover"


class Signing(StrEnum):
    """How a lab zone is signed at start-up."""

    SIGNED = "signee"
    #: Signed, then one signature (the apex MX) damaged: validators must say "bogus".
    BAD_SIGNATURE = "signature-invalide"
    #: Signed with signatures that expired yesterday.
    EXPIRED = "signature-expiree"
    #: Signed, but the parent publishes no DS: the chain of trust stops above it.
    NO_DS = "ds-absent"


class TlsaSource(StrEnum):
    """Which certificate or key a lab TLSA record designates."""

    #: The certificate the host's server presents.
    LEAF = "feuille"
    #: The authority that issued it (the intermediate sent by the server, else the lab CA).
    ISSUER = "emetteur"
    #: A key the host does not use yet: the "next key" published ahead of a rollover.
    NEXT_KEY = "cle-suivante"


@dataclass(frozen=True)
class TlsaSpec:
    """A TLSA record at `_25._tcp.<host>`, computed at start-up from `source`."""

    host: str
    usage: int
    selector: int
    matching_type: int
    source: TlsaSource


#: Zones signed at start-up (the lab root and `fr.` are always signed); others stay unsigned.
ZONE_SIGNING: dict[str, Signing] = {
    "labo-rgpd.fr": Signing.SIGNED,
    # The well-configured practice of the transport scenarios has DNSSEC and DANE too.
    "cabinet-conforme.fr": Signing.SIGNED,
    "dnssec-signe.labo-rgpd.fr": Signing.SIGNED,
    "dnssec-signature-invalide.labo-rgpd.fr": Signing.BAD_SIGNATURE,
    "dnssec-signature-expiree.labo-rgpd.fr": Signing.EXPIRED,
    "dnssec-ds-absent.labo-rgpd.fr": Signing.NO_DS,
    "dane-valide.labo-rgpd.fr": Signing.SIGNED,
    "dane-ta.labo-rgpd.fr": Signing.SIGNED,
    "dane-errone.labo-rgpd.fr": Signing.SIGNED,
}

TLSA_RECORDS: tuple[TlsaSpec, ...] = (
    TlsaSpec("mx.cabinet-conforme.fr", 3, 1, 1, TlsaSource.LEAF),
    TlsaSpec("mx.cabinet-conforme.fr", 3, 1, 1, TlsaSource.NEXT_KEY),
    TlsaSpec("mx.dane-valide.labo-rgpd.fr", 3, 1, 1, TlsaSource.LEAF),
    TlsaSpec("mx.dane-valide.labo-rgpd.fr", 3, 1, 1, TlsaSource.NEXT_KEY),
    TlsaSpec("mx.dane-ta.labo-rgpd.fr", 2, 0, 1, TlsaSource.ISSUER),
    # The authority's key where the server's own key is expected: matches nothing.
    TlsaSpec("mx.dane-errone.labo-rgpd.fr", 3, 1, 1, TlsaSource.ISSUER),
    TlsaSpec("mx.dane-non-signe.labo-rgpd.fr", 3, 1, 1, TlsaSource.LEAF),
)

_DANE_NONE = {DANE_MATCH: NOT_APPLICABLE, DANE_ROLLOVER: NOT_APPLICABLE}

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "dnssec-signe",
        "dnssec-signe.labo-rgpd.fr",
        "Zone signée et rattachée à la chaîne de confiance ; pas d'enregistrement TLSA.",
        {CHAIN: PASS, DANE_TLSA: FAIL, **_DANE_NONE},
    ),
    Scenario(
        "dnssec-non-signe",
        "dnssec-non-signe.labo-rgpd.fr",
        "Zone non signée : la zone parente prouve qu'elle ne publie aucun DS pour elle.",
        {CHAIN: FAIL},
    ),
    Scenario(
        "dnssec-ds-absent",
        "dnssec-ds-absent.labo-rgpd.fr",
        "Zone signée, mais le DS n'a jamais été publié chez le parent.",
        {CHAIN: FAIL},
    ),
    Scenario(
        "dnssec-signature-invalide",
        "dnssec-signature-invalide.labo-rgpd.fr",
        "Zone signée dont la signature des MX est altérée (réponse « bogus »).",
        {CHAIN: FAIL},
    ),
    Scenario(
        "dnssec-signature-expiree",
        "dnssec-signature-expiree.labo-rgpd.fr",
        "Zone signée dont les signatures ont expiré la veille.",
        {CHAIN: FAIL},
    ),
    Scenario(
        "dane-valide",
        "dane-valide.labo-rgpd.fr",
        "DANE en place : TLSA 3 1 1 du certificat servi et de la prochaine clé, zone signée.",
        {CHAIN: PASS, DANE_TLSA: PASS, DANE_MATCH: PASS, DANE_ROLLOVER: PASS},
    ),
    Scenario(
        "dane-ta",
        "dane-ta.labo-rgpd.fr",
        "DANE-TA : un TLSA 2 0 1 désigne l'autorité intermédiaire envoyée par le serveur.",
        {CHAIN: PASS, DANE_TLSA: PASS, DANE_MATCH: PASS, DANE_ROLLOVER: PASS},
    ),
    Scenario(
        "dane-errone",
        "dane-errone.labo-rgpd.fr",
        "Le TLSA publié ne correspond pas au certificat présenté par le serveur.",
        {CHAIN: PASS, DANE_TLSA: PASS, DANE_MATCH: FAIL, DANE_ROLLOVER: FAIL},
    ),
    Scenario(
        "dane-non-signe",
        "dane-non-signe.labo-rgpd.fr",
        "Un TLSA est publié dans une zone non signée : les expéditeurs l'ignorent.",
        {CHAIN: FAIL, DANE_TLSA: FAIL, **_DANE_NONE},
    ),
)

HOSTS: tuple[LabHost, ...] = (
    LabHost("mx.dane-valide.labo-rgpd.fr", "127.0.0.100", "dane-valide"),
    LabHost("mx.dane-ta.labo-rgpd.fr", "127.0.0.101", "dane-ta", cert=CertKind.INTERMEDIATE),
    LabHost("mx.dane-errone.labo-rgpd.fr", "127.0.0.102", "dane-errone"),
    LabHost("mx.dane-non-signe.labo-rgpd.fr", "127.0.0.103", "dane-non-signe"),
    LabHost("mx.dnssec-signe.labo-rgpd.fr", "127.0.0.104", "dnssec-signe"),
)
