"""Facts any check may report: servers the audit found but did not contact.

A non-global address is never contacted (`net.addresses`) and the numbers of MX hosts,
addresses and SRV endpoints are capped; the checks that judge servers one by one say so with
these facts rather than leaving the servers out in silence (`untested`).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from rgpd_audit.models import Facts
from rgpd_audit.net.certificates import CertificateInfo


class NotContacted(Facts):
    """An address found in the DNS but never contacted: it is not publicly routable."""

    kind: ClassVar[str] = "server.not_contacted"

    host: str
    address: str


class OverLimit(Facts):
    """Servers or addresses beyond the tool's caps, found but not tested."""

    kind: ClassVar[str] = "server.over_limit"

    untested: list[str] = Field(description="Names or « host (address) » of what was skipped")
    max_hosts: int = Field(description="Most MX hosts (or endpoints) tested")
    max_addresses_per_host: int = Field(description="Most addresses tested per host")


class ObservedCertificate(BaseModel):
    """One X.509 certificate as a server presented it: a part of the facts of the checks
    that judge TLS servers (MX, MTA-STS policy host, IMAP/POP/submission)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    subject: str = Field(description="Subject, RFC 4514")
    common_name: str | None = Field(None, description="CN of the subject, if any")
    issuer: str = Field(description="Issuer, RFC 4514")
    names: list[str] = Field(default_factory=list, description="DNS names of subjectAltName")
    not_before: datetime = Field(description="Start of validity (UTC)")
    not_after: datetime = Field(description="End of validity (UTC)")
    serial: str = Field(description="Serial number, hexadecimal")
    sha256: str = Field(description="SHA-256 fingerprint of the DER certificate")
    key: str = Field(description="Public key: « RSA 2048 bits », « ECDSA secp256r1 »…")
    key_bits: int | None = Field(None, description="Key size (curve size for ECDSA)")
    signature_algorithm: str = Field(description="Hash of the signature: SHA256, SHA1… EdDSA")
    self_signed: bool = Field(description="Issued by its own key")

    @classmethod
    def of(cls, info: CertificateInfo) -> ObservedCertificate:
        """The facts of a certificate described by the TLS layer (its fields, same names)."""
        return cls.model_validate(info, from_attributes=True)

    def info(self) -> CertificateInfo:
        """Back to the form the certificate analysers read."""
        return CertificateInfo(**{**dict(self), "names": tuple(self.names)})


class VerifyError(BaseModel):
    """OpenSSL's refusal of a certificate chain."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: int = Field(description="OpenSSL X509_V_ERR_* code")
    message: str = Field(description="OpenSSL's message")


COMMON_FACTS: tuple[type[Facts], ...] = (NotContacted, OverLimit)
