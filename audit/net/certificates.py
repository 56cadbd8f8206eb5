"""Reading and judging an X.509 certificate ourselves.

OpenSSL stops at its first verification error: an expired self-signed certificate is only
reported as self-signed. We read dates, names and the issuer ourselves so that the report
lists every problem, and keep OpenSSL's verdict only for what it alone knows (the chain).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from typing import TYPE_CHECKING, Protocol, TypeGuard

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.x509.oid import NameOID

if TYPE_CHECKING:
    # Named for the type checker only: at run time naming it warns (see `_is_dsa`).
    from cryptography.hazmat.primitives.asymmetric.dsa import DSAPublicKey

#: Below these sizes a key is too weak (RFC 9325, "Public Key Length": at least 2048-bit
#: RSA and finite-field keys; public CAs issue no elliptic curve below 256 bits).
MIN_RSA_BITS = 2048
MIN_EC_BITS = 256
# Signature hashes with practical collision attacks: a certificate signed with them can be
# forged (MD5: 2008 rogue CA; SHA-1: 2017 collision, no longer issued by public CAs).
_BROKEN_SIGNATURE_HASHES = {"MD5", "SHA1"}
# OpenSSL codes meaning "the issuer of some certificate was nowhere to be found".
_ISSUER_MISSING_ERRORS = {2, 20, 21}
# OpenSSL X509_V_ERR_* codes that only concern dates: the chain itself was built and trusted.
_DATE_ONLY_ERRORS = {9, 10}
_VERIFY_MESSAGES = {
    18: "certificat autosigné : il n'est émis par aucune autorité de certification reconnue",
    19: "la chaîne se termine par une autorité autosignée non reconnue",
    20: "autorité émettrice inconnue (chaîne incomplète ou autorité non reconnue)",
    21: "chaîne de certification incomplète : le certificat intermédiaire manque",
    23: "certificat révoqué",
    7: "signature du certificat invalide",
}


@dataclass(frozen=True)
class CertificateInfo:
    """What a certificate says about itself, ready for the evidence annex."""

    subject: str
    common_name: str | None
    issuer: str
    names: tuple[str, ...]
    not_before: datetime
    not_after: datetime
    serial: str
    sha256: str
    key: str
    signature_algorithm: str
    self_signed: bool
    key_bits: int | None = None


@dataclass(frozen=True)
class CertificateVerdict:
    """Problems found for one host, in French, with the days left before expiry."""

    problems: list[str] = field(default_factory=list)
    days_left: int = 0


#: Most subjectAltName DNS names read from a certificate: the server chooses what it sends,
#: and its names go into the facts and the report; public CAs issue at most a few hundred.
MAX_CERTIFICATE_NAMES = 1000
#: Names listed when a certificate does not name the host (the facts keep them all).
MAX_NAMES_SHOWN = 10


def describe(der: bytes) -> CertificateInfo:
    """Parse a DER certificate into `CertificateInfo` (at most `MAX_CERTIFICATE_NAMES`)."""
    cert = x509.load_der_x509_certificate(der)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        names = tuple(san.value.get_values_for_type(x509.DNSName)[:MAX_CERTIFICATE_NAMES])
    except x509.ExtensionNotFound:
        names = ()
    return CertificateInfo(
        subject=cert.subject.rfc4514_string(),
        common_name=_common_name(cert),
        issuer=cert.issuer.rfc4514_string(),
        names=names,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        serial=format(cert.serial_number, "x"),
        sha256=hashlib.sha256(der).hexdigest(),
        key=_key_description(cert),
        signature_algorithm=_signature_description(cert),
        self_signed=_is_self_signed(cert),
        key_bits=_key_bits(cert),
    )


def key_problems(info: CertificateInfo) -> list[str]:
    """Weak key size or broken signature hash of one certificate, in French."""
    problems: list[str] = []
    kind = info.key.split()[0]
    if kind in ("RSA", "DSA") and info.key_bits is not None and info.key_bits < MIN_RSA_BITS:
        problems.append(
            f"clé {kind} de {info.key_bits} bits, en dessous du minimum de {MIN_RSA_BITS} bits"
        )
    if kind == "ECDSA" and info.key_bits is not None and info.key_bits < MIN_EC_BITS:
        problems.append(f"courbe elliptique de {info.key_bits} bits, trop courte ({info.key})")
    # The signature of a self-signed certificate protects nothing (it is trusted or not as
    # a whole), so only certificates issued by someone else are judged on it.
    if not info.self_signed and info.signature_algorithm in _BROKEN_SIGNATURE_HASHES:
        problems.append(
            f"signé avec {info.signature_algorithm}, algorithme cassé (collisions démontrées)"
        )
    return problems


@dataclass(frozen=True)
class ChainVerdict:
    """How the certificates sent by a server link up; `problems` empty when complete."""

    certificates: tuple[CertificateInfo, ...]
    problems: list[str] = field(default_factory=list)


class ChainLink(Protocol):
    """What the chain reading needs of a certificate (a `CertificateInfo`, or a check's facts)."""

    @property
    def subject(self) -> str: ...
    @property
    def issuer(self) -> str: ...
    @property
    def self_signed(self) -> bool: ...


def chain_problems(chain: Sequence[ChainLink], verify_code: int | None) -> list[str]:
    """What stops a client from building a path to a trusted authority, in French: the
    certificates out of order, and the authority OpenSSL could not find (`verify_code`) when
    the last certificate sent is not self-signed."""
    problems: list[str] = []
    for lower, upper in pairwise(chain):
        if lower.issuer != upper.subject:
            problems.append(
                f"certificats dans le désordre : « {upper.subject} » n'a pas émis "
                f"« {lower.subject} »"
            )
            break
    if chain and verify_code in _ISSUER_MISSING_ERRORS:
        top = chain[-1]
        if not top.self_signed:
            sent = (
                "seul le certificat du serveur est envoyé"
                if len(chain) == 1
                else f"{len(chain)} certificats envoyés"
            )
            problems.append(
                f"le certificat de l'autorité « {top.issuer} » n'est pas envoyé par le serveur "
                f"et n'est pas une autorité reconnue ({sent}) : certificat intermédiaire "
                "manquant, ou autorité inconnue"
            )
    return problems


def judge_chain(chain: tuple[bytes, ...], verify_error: tuple[int, str] | None) -> ChainVerdict:
    """Whether the server sends what a client needs to build a path to a trusted authority.

    OpenSSL builds a path from the sent certificates plus its trust store, without fetching
    anything: a clean verification proves the chain complete. When it could not find an
    issuer, the last certificate sent names the authority that is missing.
    """
    infos = tuple(describe(der) for der in chain)
    problems = chain_problems(infos, verify_error[0] if verify_error else None)
    return ChainVerdict(certificates=infos, problems=problems)


def judge(
    info: CertificateInfo,
    host: str,
    verify_error: tuple[int, str] | None,
    now: datetime | None = None,
) -> CertificateVerdict:
    """Every reason why `info` is not a valid certificate for `host` at `now`."""
    now = now or datetime.now(UTC)
    problems: list[str] = []
    if now > info.not_after:
        problems.append(f"certificat expiré depuis le {info.not_after:%d/%m/%Y}")
    if now < info.not_before:
        problems.append(
            f"certificat pas encore valide (valable à partir du {info.not_before:%d/%m/%Y})"
        )
    if not matches_host(info.names, host):
        shown = ", ".join(info.names[:MAX_NAMES_SHOWN]) or info.common_name or "aucun nom"
        if len(info.names) > MAX_NAMES_SHOWN:
            shown += f" et {len(info.names) - MAX_NAMES_SHOWN} autres noms"
        problems.append(f"le certificat ne nomme pas {host} (il couvre : {shown})")
    leaf_dates_ok = info.not_before <= now <= info.not_after
    if verify_error and verify_error[0] in _DATE_ONLY_ERRORS and leaf_dates_ok:
        # OpenSSL's date error was not about this certificate: another one in the chain.
        problems.append("un certificat intermédiaire de la chaîne est expiré ou pas encore valide")
    # A self-signed certificate the user chose to trust (--ca-file) verifies cleanly: only an
    # untrusted one is a problem, and then "self-signed" is the precise reason.
    if verify_error and verify_error[0] not in _DATE_ONLY_ERRORS:
        code, message = verify_error
        if info.self_signed:
            code = 18
        problems.append(
            _VERIFY_MESSAGES.get(code, f"vérification de la chaîne refusée : {message}")
        )
    days_left = (info.not_after - now).days
    return CertificateVerdict(problems=problems, days_left=days_left)


def matches_host(names: tuple[str, ...], host: str) -> bool:
    """RFC 6125 matching: exact name, or a wildcard standing for the whole left-most label."""
    host = host.lower().rstrip(".")
    for name in names:
        pattern = name.lower().rstrip(".")
        if pattern == host:
            return True
        if pattern.startswith("*.") and "." in host and host.split(".", 1)[1] == pattern[2:]:
            return True
    return False


def _common_name(cert: x509.Certificate) -> str | None:
    values = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(values[0].value) if values else None


def _is_self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _key_description(cert: x509.Certificate) -> str:
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA {key.key_size} bits"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"ECDSA {key.curve.name}"
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519"
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448"
    if _is_dsa(key):
        return f"DSA {key.key_size} bits"
    return type(key).__name__


def _key_bits(cert: x509.Certificate) -> int | None:
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey) or _is_dsa(key):
        return key.key_size
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key.curve.key_size
    if isinstance(key, ed25519.Ed25519PublicKey):
        return 256
    if isinstance(key, ed448.Ed448PublicKey):
        return 448
    return None


def _is_dsa(key: object) -> TypeGuard[DSAPublicKey]:
    # cryptography deprecates DSA and warns (in English) whenever the DSA classes are named,
    # even in an isinstance test: the key is recognised by its class name instead.
    return any(cls.__name__ == "DSAPublicKey" for cls in type(key).__mro__)


def _signature_description(cert: x509.Certificate) -> str:
    digest = cert.signature_hash_algorithm
    # EdDSA signatures have no separate hash algorithm.
    return digest.name.upper() if digest else "EdDSA"
