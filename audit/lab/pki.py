"""Throw-away PKI of the lab: a local CA and the server certificates of the lab's MX hosts.

Everything is generated at start-up and lives in a temporary directory, so no private key
is ever shipped with the package and nothing outlives the lab.
"""

from __future__ import annotations

import datetime as dt
import ssl
import warnings
from enum import StrEnum
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

#: Name carried by the "wrong host" certificate: a real-looking name that no lab MX uses.
WRONG_HOST_NAME = "autre-serveur.example.net"
#: Remaining validity of the "expiring soon" certificate; below the usual 30-day alert
#: threshold so that an audit flags it, while the certificate still verifies today.
EXPIRING_IN = dt.timedelta(days=20)
#: Remaining validity of the "expiring within 60 days" certificate: between the 30-day and
#: the 60-day alerts.
EXPIRING_LATER_IN = dt.timedelta(days=45)
VALIDITY = dt.timedelta(days=365)


class CertKind(StrEnum):
    """What the certificate served by an MX looks like."""

    GOOD = "valide"
    EXPIRING = "expire-bientot"
    EXPIRED = "expire"
    WRONG_HOST = "autre-nom"
    SELF_SIGNED = "autosigne"
    SELF_SIGNED_EXPIRED = "autosigne-expire"
    EXPIRING_LATER = "expire-sous-60-jours"
    #: Issued by an intermediate authority, which the server sends with its certificate.
    INTERMEDIATE = "intermediaire"
    #: Issued by an intermediate authority that the server forgets to send.
    INTERMEDIATE_MISSING = "intermediaire-manquant"


class TlsProfile(StrEnum):
    """Which TLS versions and suites a lab server accepts."""

    MODERN = "moderne"
    #: TLS 1.0 only, like an old server nobody updated.
    LEGACY = "tls10"
    #: TLS 1.3 only.
    TLS13_ONLY = "tls13"
    #: Modern versions, but anonymous and unencrypted suites accepted as well.
    WEAK_CIPHERS = "suites-faibles"


def _validity(kind: CertKind, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    if kind is CertKind.EXPIRING:
        return now - (VALIDITY - EXPIRING_IN), now + EXPIRING_IN
    if kind is CertKind.EXPIRING_LATER:
        return now - (VALIDITY - EXPIRING_LATER_IN), now + EXPIRING_LATER_IN
    if kind in (CertKind.EXPIRED, CertKind.SELF_SIGNED_EXPIRED):
        # Expired a month ago rather than a second ago: no clock skew can make it valid.
        return now - VALIDITY - dt.timedelta(days=30), now - dt.timedelta(days=30)
    # Backdated by a day so that a client whose clock lags a little still accepts it.
    return now - dt.timedelta(days=1), now + VALIDITY


class LabPki:
    """The lab's certificate authority and the leaf certificates it (or nobody) signed."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._ca = trustme.CA(
            organization_name="rgpd-audit laboratoire",
            organization_unit_name="Autorité de certification locale de test",
        )
        self.ca_file = directory / "lab-ca.pem"
        self._ca.cert_pem.write_to_path(str(self.ca_file))
        self._contexts: dict[tuple[CertKind, str, TlsProfile], ssl.SSLContext] = {}
        self._intermediate: trustme.CA | None = None

    def leaf_pem(self, kind: CertKind, hostname: str) -> bytes:
        """Return a new private key followed by its certificate chain, in PEM, for `hostname`."""
        now = dt.datetime.now(dt.UTC)
        not_before, not_after = _validity(kind, now)
        if kind in (CertKind.SELF_SIGNED, CertKind.SELF_SIGNED_EXPIRED):
            return _self_signed_pem(hostname, not_before, not_after)
        name = WRONG_HOST_NAME if kind is CertKind.WRONG_HOST else hostname
        issuer = self._ca
        if kind in (CertKind.INTERMEDIATE, CertKind.INTERMEDIATE_MISSING):
            if self._intermediate is None:
                self._intermediate = self._ca.create_child_ca()
            issuer = self._intermediate
        leaf = issuer.issue_cert(
            name,
            common_name=name,
            organization_name="rgpd-audit laboratoire",
            not_before=not_before,
            not_after=not_after,
        )
        if kind is CertKind.INTERMEDIATE_MISSING:
            return leaf.private_key_pem.bytes() + leaf.cert_chain_pems[0].bytes()
        return leaf.private_key_and_cert_chain_pem.bytes()

    def server_context(
        self,
        kind: CertKind,
        hostname: str,
        legacy: bool = False,
        profile: TlsProfile = TlsProfile.MODERN,
    ) -> ssl.SSLContext:
        """Return a server-side TLS context presenting a `kind` certificate for `hostname`.

        `legacy` limits the server to TLS 1.0 (same as `profile` LEGACY); `profile` chooses
        the versions and suites the server accepts.
        """
        if legacy:
            profile = TlsProfile.LEGACY
        key = (kind, hostname, profile)
        if key not in self._contexts:
            # `load_cert_chain` only reads files; the directory is removed with the lab.
            path = self.directory / f"{kind.value}--{hostname}.pem"
            path.write_bytes(self.leaf_pem(kind, hostname))
            path.chmod(0o600)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(path)
            _apply_profile(context, profile)
            self._contexts[key] = context
        return self._contexts[key]

    def served_chain(self, kind: CertKind, hostname: str) -> tuple[bytes, ...]:
        """DER certificates, leaf first, that the server made by `server_context` presents.

        The lab's TLSA records are computed from them at start-up, since the certificates
        themselves are only made then.
        """
        pem = (self.directory / f"{kind.value}--{hostname}.pem").read_bytes()
        return tuple(
            cert.public_bytes(serialization.Encoding.DER)
            for cert in x509.load_pem_x509_certificates(pem)
        )


def _apply_profile(context: ssl.SSLContext, profile: TlsProfile) -> None:
    if profile is TlsProfile.LEGACY:
        # OpenSSL 3 refuses TLS 1.0 at its default security level; Python warns about the
        # old version, which is the very point of this server.
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
            context.maximum_version = ssl.TLSVersion["TLSv1"]
    elif profile is TlsProfile.TLS13_ONLY:
        context.minimum_version = ssl.TLSVersion.TLSv1_3
    elif profile is TlsProfile.WEAK_CIPHERS:
        # Anonymous suites only matter up to TLS 1.2 (TLS 1.3 has none). Security level 0
        # also re-enables TLS 1.0/1.1 on some OpenSSL builds (Debian's): this scenario is
        # about the suites alone, so the versions stay modern.
        context.set_ciphers("ALL:eNULL:@SECLEVEL=0")
        context.minimum_version = ssl.TLSVersion.TLSv1_2


def _self_signed_pem(hostname: str, not_before: dt.datetime, not_after: dt.datetime) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "rgpd-audit laboratoire"),
            x509.NameAttribute(NameOID.COMMON_NAME, hostname),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem + cert.public_bytes(serialization.Encoding.PEM)
