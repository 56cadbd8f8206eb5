"""Which TLS versions and cipher suites an MX address accepts, with as few connections as possible.

The STARTTLS probe already shows what a modern client gets (TLS 1.3 or 1.2, and the suite
the server prefers). Mail servers limit connections, so only two more handshakes are made,
one after the other: one that offers nothing but TLS 1.1 and older, one that offers nothing
but weak suites. The first is skipped when the probe itself could only get an old version.
"""

from __future__ import annotations

import ssl
import warnings
from dataclasses import dataclass

from rgpd_audit.models import ErrorInfo
from rgpd_audit.net.smtp import SmtpProbe, TlsFailure, TlsSession, starttls_handshake

#: Versions that RFC 8996 forbids (SSLv3 was already forbidden by RFC 7568).
OBSOLETE_VERSIONS = ("SSLv3", "TLSv1", "TLSv1.1")
# OpenSSL cipher families that no server should accept (RFC 9325 on cipher suites, RFC 7465
# for RC4): no encryption, no server authentication, or far less than 128 bits of strength.
# A local OpenSSL often lacks some of them (RC4, DES, EXPORT): only those it can offer are
# tested.
_WEAK_FAMILIES = ("RC4", "3DES", "DES", "EXPORT", "eNULL", "aNULL")
# OpenSSL reasons for a handshake that the local side could not even start.
_LOCAL_FAILURES = {"NO_PROTOCOLS_AVAILABLE", "NO_CIPHERS_AVAILABLE", "NO_CIPHER_MATCH"}


@dataclass(frozen=True)
class Attempt:
    """One extra handshake: accepted (`session`), inconclusive (`error`), or refused (neither)."""

    session: TlsSession | None = None
    error: ErrorInfo | None = None


@dataclass(frozen=True)
class TlsAssessment:
    """Versions and suites of one MX address; `weak_offered` lists the suites tried."""

    legacy: Attempt
    weak: Attempt
    weak_offered: tuple[str, ...]


def assess_tls(probe: SmtpProbe, timeout: float) -> TlsAssessment:
    """Run the extra handshakes for an address whose STARTTLS probe succeeded."""
    assert probe.tls is not None and probe.tls.version is not None
    if probe.tls.version in OBSOLETE_VERSIONS:
        # The modern handshake already failed and fell back: no need to ask again.
        legacy = Attempt(session=probe.tls)
    elif not (ssl.HAS_TLSv1 or ssl.HAS_TLSv1_1):
        legacy = Attempt(error=_local("TLS 1.0 ni TLS 1.1"))
    else:
        legacy = _attempt(probe, timeout, legacy_context())
    try:
        context = weak_context()
    except ssl.SSLError:
        return TlsAssessment(legacy, Attempt(error=_local("aucune suite faible")), ())
    offered = tuple(cipher["name"] for cipher in context.get_ciphers())
    return TlsAssessment(legacy, _attempt(probe, timeout, context), offered)


def legacy_context() -> ssl.SSLContext:
    """A client context offering only SSLv3 (if built in) to TLS 1.1, with every suite."""
    context = _unverified()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        context.maximum_version = ssl.TLSVersion.TLSv1_1
    context.set_ciphers("ALL:@SECLEVEL=0")
    return context


def weak_context() -> ssl.SSLContext:
    """A client context offering only weak suites (TLS 1.2 and older: 1.3 has none)."""
    context = _unverified()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(":".join(_WEAK_FAMILIES) + ":@SECLEVEL=0")
    return context


#: Short French names of the weak families, and why each is weak.
WEAK_FAMILIES: dict[str, tuple[str, str]] = {
    "null": ("NULL", "aucun chiffrement (suite NULL)"),
    "anonymous": ("anonymes", "suite anonyme : le serveur n'est pas authentifié"),
    "rc4": ("RC4", "RC4, interdit par la RFC 7465"),
    "export": ("export", "suite « export », volontairement affaiblie"),
    "des": ("DES/3DES", "DES ou 3DES, moins de 128 bits de sécurité"),
}


def cipher_family(name: str) -> str | None:
    """The key in `WEAK_FAMILIES` of the OpenSSL suite `name`, or None if it is not weak."""
    upper = name.upper()
    if upper.startswith(("ADH", "AECDH")) or "ANON" in upper:
        return "anonymous"
    if "NULL" in upper:
        return "null"
    if "RC4" in upper:
        return "rc4"
    if upper.startswith("EXP") or "EXPORT" in upper:
        return "export"
    if "DES" in upper:
        return "des"
    return None


def tested_families(names: tuple[str, ...]) -> list[str]:
    """Short names of the weak families among the suites `names`, in a stable order."""
    present = {cipher_family(name) for name in names}
    return [label for key, (label, _) in WEAK_FAMILIES.items() if key in present]


def is_aead(name: str) -> bool:
    """True for AEAD suites (AES-GCM, AES-CCM, ChaCha20-Poly1305), the only ones in TLS 1.3."""
    upper = name.upper()
    return name.startswith("TLS_") or any(mode in upper for mode in ("GCM", "CCM", "CHACHA20"))


def _attempt(probe: SmtpProbe, timeout: float, context: ssl.SSLContext) -> Attempt:
    outcome = starttls_handshake(probe.host, probe.address, probe.port, timeout, context)
    if isinstance(outcome, TlsSession):
        return Attempt(session=outcome)
    if isinstance(outcome, TlsFailure):
        return Attempt(error=ErrorInfo(reason=outcome.reason, message=outcome.message))
    if outcome.reason in _LOCAL_FAILURES:
        # Our own library gave up before asking anything: that says nothing of the server.
        return Attempt(error=_local(f"cette négociation ({outcome.reason})"))
    return Attempt()


def _local(what: str) -> ErrorInfo:
    return ErrorInfo(reason="tls", message=f"le poste d'audit ne sait pas proposer {what}")


def _unverified() -> ssl.SSLContext:
    # Only the protocol is under test here; the certificate has its own check.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context
