"""Server certificates in the checks that judge one (MX after STARTTLS, MTA-STS policy host,
IMAP/POP/submission): the facts of a certificate seen, and the verdict on it in words, with
one wording and one set of expiry thresholds."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from rgpd_audit.models import CheckResult, Evidence, Facts, Severity, Status
from rgpd_audit.net.certificates import CertificateInfo, judge


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


#: Days left under which a valid certificate is still reported, low then medium (the
#: thresholds testssl.sh uses).
EXPIRY_WARNING_DAYS = 60
EXPIRY_ALERT_DAYS = 30


def certificate_result(
    facts: Facts,
    certificate: ObservedCertificate,
    host: str,
    verify_error: VerifyError | None,
    now: datetime,
    *,
    subject: str | None,
    evidence: list[Evidence],
    evidence_after: list[Evidence],
    expiring_remediation: str,
) -> CheckResult:
    """Not valid, valid but expiring soon, or valid. The days left go between `evidence` and
    `evidence_after`, the problems last; `expiring_remediation` names the sidecar's variant
    for a near expiry."""
    error = (verify_error.code, verify_error.message) if verify_error else None
    verdict = judge(certificate.info(), host, error, now=now)
    days_left = Evidence(label="Jours restants", value=verdict.days_left)
    evidence = [*evidence, days_left, *evidence_after]
    if verdict.problems:
        return CheckResult(
            status=Status.FAIL,
            summary="Certificat non valide : " + " ; ".join(verdict.problems) + ".",
            subject=subject,
            evidence=[*evidence, Evidence(label="Problèmes", value=list(verdict.problems))],
            facts=facts,
        )
    if verdict.days_left < EXPIRY_WARNING_DAYS:
        return CheckResult(
            status=Status.FAIL,
            summary=f"Certificat valide mais il expire dans {verdict.days_left} jours "
            f"(le {certificate.not_after:%d/%m/%Y}).",
            subject=subject,
            evidence=evidence,
            severity=Severity.MEDIUM if verdict.days_left < EXPIRY_ALERT_DAYS else Severity.LOW,
            remediation_key=expiring_remediation,
            facts=facts,
        )
    return CheckResult(
        status=Status.PASS,
        summary=f"Certificat reconnu, au nom du serveur, valable encore {verdict.days_left} jours.",
        subject=subject,
        evidence=evidence,
        facts=facts,
    )
