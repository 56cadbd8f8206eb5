"""The verdict on a server certificate, in words, for every check that judges one (MX after
STARTTLS, IMAP/POP/submission): one wording and one set of expiry thresholds."""

from __future__ import annotations

from datetime import datetime

from rgpd_audit.common_facts import ObservedCertificate, VerifyError
from rgpd_audit.models import CheckResult, Evidence, Facts, Severity, Status
from rgpd_audit.net.certificates import judge

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
