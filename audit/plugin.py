"""The public API for writing a check: everything a check (built-in or third-party) may use.

A check is a function decorated with `@check`, declared in the `rgpd_audit.checks`
entry-point group, with a YAML sidecar of metadata beside its module (see the README,
« Écrire un contrôle »). It works in three steps:

1. **facts**: it gathers what it observes through the `Context` (DNS, SMTP, HTTPS…) into a
   `Facts` model, typed and without prose;
2. **verdict**: a pure function of those facts chooses the status (and a severity or a
   remediation variant when the outcome calls for one);
3. **words**: the French summary and the evidence are written from the facts and the verdict,
   with `passed`, `failed`, `not_applicable` or `indeterminate`.

Built-in checks import only this module and the analysers of records and documents
(`rgpd_audit.records`, `rgpd_audit.hds`, `rgpd_audit.register`, `rgpd_audit.password`,
`rgpd_audit.catalog`); an import-linter contract keeps it so. What is exported here is kept
stable; anything else in the package may change without notice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pydantic import JsonValue

from rgpd_audit.certificate_results import ObservedCertificate, VerifyError, certificate_result
from rgpd_audit.common_facts import NotContacted, OverLimit
from rgpd_audit.config import DEFAULT_PORTS, RunConfig
from rgpd_audit.context import MailExchanger, MxSet
from rgpd_audit.datafiles import DataFile, Snapshot, register_data_file
from rgpd_audit.errors import CheckError, ContentError
from rgpd_audit.models import (
    CheckResult,
    ErrorInfo,
    ErrorReason,
    Evidence,
    Facts,
    Severity,
    Status,
    Target,
)
from rgpd_audit.net.addresses import (
    MAX_ADDRESSES_PER_HOST,
    MAX_MX_HOSTS,
    MAX_SRV_PER_SERVICE,
    NotRoutable,
    split_contactable,
)
from rgpd_audit.net.certificates import CertificateInfo, chain_problems, judge_chain, key_problems
from rgpd_audit.net.certificates import describe as describe_certificate
from rgpd_audit.net.certificates import judge as judge_certificate
from rgpd_audit.net.dnssec import DnssecValidator, Security, Validation
from rgpd_audit.net.https import CertificateRejected, HostNotFound, HttpsResponse
from rgpd_audit.net.mail_client import SERVICES, ClientProbe
from rgpd_audit.net.smtp import SmtpProbe, TlsSession
from rgpd_audit.net.tls_versions import (
    OBSOLETE_VERSIONS,
    WEAK_FAMILIES,
    TlsAssessment,
    cipher_family,
    is_aead,
    tested_families,
)
from rgpd_audit.registry import check
from rgpd_audit.untested import limit_result, listed, untested_mx_results

if TYPE_CHECKING:
    from rgpd_audit.password.results import Assessment

__all__ = [
    "DEFAULT_PORTS",
    "MAX_ADDRESSES_PER_HOST",
    "MAX_MX_HOSTS",
    "MAX_SRV_PER_SERVICE",
    "OBSOLETE_VERSIONS",
    "SERVICES",
    "WEAK_FAMILIES",
    "CertificateInfo",
    "CertificateRejected",
    "CheckError",
    "CheckResult",
    "ClientProbe",
    "ContentError",
    "Context",
    "DataFile",
    "DnssecValidator",
    "ErrorInfo",
    "ErrorReason",
    "Evidence",
    "Facts",
    "HostNotFound",
    "HttpsResponse",
    "MailExchanger",
    "MxSet",
    "NotContacted",
    "NotRoutable",
    "ObservedCertificate",
    "OverLimit",
    "RunConfig",
    "Security",
    "Severity",
    "SmtpProbe",
    "Snapshot",
    "Status",
    "Target",
    "TlsAssessment",
    "TlsSession",
    "Validation",
    "VerifyError",
    "certificate_result",
    "chain_problems",
    "check",
    "cipher_family",
    "describe_certificate",
    "failed",
    "indeterminate",
    "is_aead",
    "judge_certificate",
    "judge_chain",
    "key_problems",
    "limit_result",
    "listed",
    "not_applicable",
    "passed",
    "register_data_file",
    "split_contactable",
    "tested_families",
    "untested_mx_results",
]

T = TypeVar("T")
Item = TypeVar("Item")

#: Evidence as the constructors take it: a list of `Evidence`, or label → value in order.
EvidenceInput = Sequence[Evidence] | Mapping[str, JsonValue] | None


class Context(Protocol):
    """What a check may ask of the audit it runs in (one per audited practice).

    Checks open no sockets themselves: the resolver, trust anchor, ports and address policy
    chosen by the user apply through these methods, and every answer is shared with the
    other checks of the audit (and, in a batch, with the other practices).
    """

    #: The audited practice (domain, name, e-mail addresses, profile).
    target: Target
    #: The run's network settings (ports, timeouts, selectors, register and inventory files).
    config: RunConfig
    #: Questionnaire answers, question id → value; empty without a questionnaire.
    answers: Mapping[str, JsonValue]
    #: Strength of the passwords tested during the interview (derived data only).
    password_tests: tuple[Assessment, ...]

    def memo(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """Compute `key` once per audit; concurrent callers wait for the first one."""
        ...

    def map(self, func: Callable[[Item], T], items: Sequence[Item]) -> list[T]:
        """`func` over `items` concurrently, results in order."""
        ...

    def lookup(self, name: str, rdtype: str) -> list[str] | None:
        """DNS records as text (`None` for NXDOMAIN); `CheckError` when the DNS fails."""
        ...

    def mx(self) -> MxSet:
        """The audited domain's MX hosts and their addresses."""
        ...

    def sends_no_mail(self) -> bool:
        """Null MX or no MX at all: the domain is very likely not used for mail."""
        ...

    def nothing_under(self, name: str) -> bool:
        """True when the DNS denies `name` (NXDOMAIN): no name under it exists (RFC 8020)."""
        ...

    def smtp_probe(self, host: str, address: str) -> SmtpProbe:
        """The SMTP/STARTTLS facts of one MX address (one connection per address)."""
        ...

    def tls_assessment(self, host: str, address: str) -> TlsAssessment | None:
        """TLS versions and weak suites of one MX address; None without a TLS session."""
        ...

    def client_probe(self, service: str, host: str, address: str, port: int) -> ClientProbe:
        """IMAP, POP3 or submission facts of one address."""
        ...

    def http_get(self, url: str, max_bytes: int = 64 * 1024) -> HttpsResponse:
        """HTTPS GET of `url` (no redirect followed, body cut at `max_bytes`)."""
        ...

    def dnssec(self) -> DnssecValidator:
        """The audit's DNSSEC validator, from the configured trust anchor."""
        ...


def passed(
    summary: str,
    facts: Facts | None = None,
    *,
    subject: str | None = None,
    evidence: EvidenceInput = None,
) -> CheckResult:
    """The control is met. Without `evidence`, the facts' own evidence is shown."""
    return _result(Status.PASS, summary, facts, subject, evidence)


def failed(
    summary: str,
    facts: Facts | None = None,
    *,
    subject: str | None = None,
    evidence: EvidenceInput = None,
    severity: Severity | None = None,
    remediation: str | None = None,
) -> CheckResult:
    """The control is not met.

    `severity` overrides the control's default for this result only (a certificate that
    expires soon is a low-severity failure of a high-severity control); `remediation` names
    an entry of the sidecar's `remediation_variants` to show instead of `remediation`.
    """
    result = _result(Status.FAIL, summary, facts, subject, evidence)
    return result.model_copy(update={"severity": severity, "remediation_key": remediation})


def not_applicable(
    summary: str,
    facts: Facts | None = None,
    *,
    subject: str | None = None,
    evidence: EvidenceInput = None,
    remediation: str | None = None,
) -> CheckResult:
    """The control does not apply to this practice (no MX, no SPF record to judge…)."""
    result = _result(Status.NOT_APPLICABLE, summary, facts, subject, evidence)
    return result.model_copy(update={"remediation_key": remediation})


def indeterminate(
    reason: ErrorReason,
    message: str,
    facts: Facts | None = None,
    *,
    subject: str | None = None,
    evidence: EvidenceInput = None,
    summary: str | None = None,
    remediation: str | None = None,
) -> CheckResult:
    """The tool could not tell, for `reason` (« timeout », « dns »…) explained by `message`.

    The summary defaults to « Non évalué : <message> »; `remediation` names a variant that
    says how to settle the question (e.g. give the DKIM selector in use).
    """
    text = summary if summary is not None else f"Non évalué : {message}"
    result = _result(Status.INDETERMINATE, text, facts, subject, evidence)
    error = ErrorInfo(reason=reason, message=message)
    return result.model_copy(update={"error": error, "remediation_key": remediation})


def _result(
    status: Status,
    summary: str,
    facts: Facts | None,
    subject: str | None,
    evidence: EvidenceInput,
) -> CheckResult:
    if evidence is None:
        items = facts.evidence() if facts is not None else []
    elif isinstance(evidence, Mapping):
        items = [Evidence(label=label, value=value) for label, value in evidence.items()]
    else:
        items = list(evidence)
    return CheckResult(status=status, summary=summary, subject=subject, evidence=items, facts=facts)
