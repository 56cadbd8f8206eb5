"""TLSA records (RFC 6698) and how they match a certificate chain for SMTP (RFC 7672, 7671).

Pure functions on strings and DER bytes: the network side (DNSSEC, STARTTLS) is elsewhere.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization

_HEX = re.compile(r"^[0-9A-Fa-f]*$")
#: Digest sizes of matching types 1 (SHA-256) and 2 (SHA-512), in bytes.
_DIGEST_SIZES = {1: 32, 2: 64}


class TlsaRecordError(ValueError):
    """A TLSA record or certificate that cannot be used; the message says why, in French."""


class Usage(IntEnum):
    """Certificate usage field (RFC 6698 §2.1.1, names of RFC 7218)."""

    PKIX_TA = 0
    PKIX_EE = 1
    DANE_TA = 2
    DANE_EE = 3


@dataclass(frozen=True)
class TlsaRecord:
    """One TLSA record: usage, selector (0 full certificate, 1 public key), matching type."""

    usage: int
    selector: int
    matching_type: int
    data: bytes

    @property
    def text(self) -> str:
        """Presentation form, as in a zone file."""
        return f"{self.usage} {self.selector} {self.matching_type} {self.data.hex().upper()}"

    @property
    def dane(self) -> bool:
        """True for the usages SMTP uses (2 and 3); RFC 7672 §3.1.3 says to ignore 0 and 1."""
        return self.usage in (Usage.DANE_TA, Usage.DANE_EE)


class MatchOutcome(StrEnum):
    """How a served chain stands against the DANE TLSA records (stable, for the facts)."""

    #: DANE-EE (3): the server's own certificate matches a record.
    END_ENTITY = "end_entity"
    #: DANE-TA (2): the chain leads, names included, to the authority a record designates.
    TRUST_ANCHOR = "trust_anchor"
    NO_CERTIFICATE = "no_certificate"
    NO_MATCH = "no_match"
    UNREADABLE_CHAIN = "unreadable_chain"
    #: A record designates a certificate of the chain, but the leaf is not issued through it.
    NOT_ISSUED_BY_ANCHOR = "not_issued_by_anchor"
    #: DANE-TA matched, but the leaf does not name the host.
    NAME_MISMATCH = "name_mismatch"


def match_reason(outcome: MatchOutcome, hostname: str) -> str:
    """`outcome` in French, for the report (`hostname`: the MX host matched against)."""
    return {
        MatchOutcome.END_ENTITY: "le certificat du serveur correspond à l'enregistrement",
        MatchOutcome.TRUST_ANCHOR: "la chaîne du serveur mène à l'autorité désignée par "
        "l'enregistrement",
        MatchOutcome.NO_CERTIFICATE: "le serveur n'a présenté aucun certificat",
        MatchOutcome.NO_MATCH: "aucun enregistrement TLSA ne correspond au certificat présenté",
        MatchOutcome.UNREADABLE_CHAIN: "certificat illisible dans la chaîne présentée",
        MatchOutcome.NOT_ISSUED_BY_ANCHOR: "la chaîne présentée ne mène pas à l'autorité "
        "désignée par le TLSA",
        MatchOutcome.NAME_MISMATCH: f"le certificat ne porte pas le nom {hostname}",
    }[outcome]


@dataclass(frozen=True)
class DaneMatch:
    """Which record the chain matched (`record`), or why none did (`outcome`)."""

    record: TlsaRecord | None
    outcome: MatchOutcome
    hostname: str

    @property
    def reason(self) -> str:
        """The outcome in French."""
        return match_reason(self.outcome, self.hostname)


def parse_tlsa(text: str) -> TlsaRecord:
    """Parse `usage selector matching-type hex-data`; `TlsaRecordError` if unusable."""
    fields = text.split()
    if len(fields) < 4:
        raise TlsaRecordError(
            f"« {text[:80]} » : quatre champs attendus (usage, sélecteur, type, données)"
        )
    numbers = []
    for label, value in zip(
        ("usage", "sélecteur", "type de correspondance"), fields[:3], strict=True
    ):
        if not value.isdecimal() or not value.isascii() or int(value) > 255:
            raise TlsaRecordError(f"« {text[:80]} » : {label} « {value[:10]} » invalide")
        numbers.append(int(value))
    usage, selector, matching_type = numbers
    hex_data = "".join(fields[3:])
    if not _HEX.match(hex_data) or len(hex_data) % 2:
        raise TlsaRecordError(f"« {text[:80]} » : données hexadécimales invalides")
    data = bytes.fromhex(hex_data)
    if usage > Usage.DANE_EE:
        raise TlsaRecordError(f"usage {usage} inconnu (0 à 3 attendu)")
    if selector > 1:
        raise TlsaRecordError(f"sélecteur {selector} inconnu (0 ou 1 attendu)")
    if matching_type > 2:
        raise TlsaRecordError(f"type de correspondance {matching_type} inconnu (0 à 2 attendu)")
    expected = _DIGEST_SIZES.get(matching_type)
    if expected is not None and len(data) != expected:
        raise TlsaRecordError(
            f"« {text[:80]} » : condensat de {len(data)} octets, {expected} attendus"
        )
    if not data:
        raise TlsaRecordError(f"« {text[:80]} » : données vides")
    return TlsaRecord(usage, selector, matching_type, data)


def association_data(der: bytes, selector: int, matching_type: int) -> bytes:
    """What a TLSA record with `selector` and `matching_type` publishes for certificate `der`."""
    if selector == 0:
        selected = der
    else:
        try:
            cert = x509.load_der_x509_certificate(der)
        except ValueError:
            raise TlsaRecordError("certificat illisible (DER invalide)") from None
        selected = cert.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    if matching_type == 1:
        return hashlib.sha256(selected).digest()
    if matching_type == 2:
        return hashlib.sha512(selected).digest()
    return selected


def matches(record: TlsaRecord, der: bytes) -> bool:
    """True when `record` designates certificate `der` (or its public key)."""
    try:
        return association_data(der, record.selector, record.matching_type) == record.data
    except TlsaRecordError:
        return False


def match_chain(records: Sequence[TlsaRecord], chain: Sequence[bytes], hostname: str) -> DaneMatch:
    """Match the chain a server sent (DER, leaf first) against its DANE TLSA records.

    DANE-EE (3): the leaf itself must match; names and dates are not checked (RFC 7672
    §3.1.1). DANE-TA (2): a certificate of the chain must match, the leaf must be issued
    through it, and the leaf must name `hostname` (RFC 7672 §3.1.2).
    """
    if not chain:
        return DaneMatch(None, MatchOutcome.NO_CERTIFICATE, hostname)
    usable = [r for r in records if r.dane]
    for record in usable:
        if record.usage == Usage.DANE_EE and matches(record, chain[0]):
            return DaneMatch(record, MatchOutcome.END_ENTITY, hostname)
    for record in usable:
        if record.usage != Usage.DANE_TA:
            continue
        for index in range(1, len(chain)):
            if matches(record, chain[index]):
                return _check_trust_anchor(record, chain, index, hostname)
    return DaneMatch(None, MatchOutcome.NO_MATCH, hostname)


def _check_trust_anchor(
    record: TlsaRecord, chain: Sequence[bytes], index: int, hostname: str
) -> DaneMatch:
    try:
        certs = [x509.load_der_x509_certificate(der) for der in chain[: index + 1]]
    except ValueError:
        return DaneMatch(None, MatchOutcome.UNREADABLE_CHAIN, hostname)
    for child, issuer in itertools.pairwise(certs):
        try:
            child.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature):
            return DaneMatch(None, MatchOutcome.NOT_ISSUED_BY_ANCHOR, hostname)
    if not _names(certs[0], hostname):
        return DaneMatch(None, MatchOutcome.NAME_MISMATCH, hostname)
    return DaneMatch(record, MatchOutcome.TRUST_ANCHOR, hostname)


def _names(cert: x509.Certificate, hostname: str) -> bool:
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        candidates = names.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        candidates = []
    host = hostname.rstrip(".").lower()
    for name in candidates:
        name = name.rstrip(".").lower()
        if name == host:
            return True
        # A wildcard stands for exactly one left-most label (RFC 6125 §6.4.3).
        if name.startswith("*.") and host.split(".", 1)[-1] == name[2:] and "." in host:
            return True
    return False
