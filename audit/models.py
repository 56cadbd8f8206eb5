"""Pydantic models shared by checks, questionnaire, scoring and renderers.

`AuditResult` is what `audit.json` holds: the stable interface that users script against
and that can be re-rendered without scanning again.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    SerializeAsAny,
)

# Re-exported: checks and probes name the reasons through models, where ErrorInfo uses them.
from rgpd_audit.errors import ErrorReason as ErrorReason
from rgpd_audit.text import printable

SCHEMA_VERSION = 1
# An audit.json holds tens of kilobytes; far more means the wrong file was given.
AUDIT_JSON_MAX_BYTES = 64 * 1024 * 1024
#: Longest text kept in a finding (summary, subject, one evidence string) and most items
#: kept in one evidence list: a server choosing what the report says must not choose its size.
MAX_FINDING_TEXT = 4000
MAX_EVIDENCE_ITEMS = 200
#: Most items kept in one list of a finding's facts (facts are bounded by their checks; this
#: is the last guard for a plugin that is not).
MAX_FACT_ITEMS = 1000


def _finding_text(value: str) -> str:
    # Server replies, DNS records, certificate fields and HTTP bodies end up here: terminal
    # escapes and other control characters go now, once, whatever check produced the text.
    text = printable(value[: MAX_FINDING_TEXT + 1])
    return text if len(text) <= MAX_FINDING_TEXT else text[: MAX_FINDING_TEXT - 1] + "…"


def _evidence_value(value: JsonValue) -> JsonValue:
    if isinstance(value, str):
        return _finding_text(value)
    if isinstance(value, list):
        kept = [_evidence_value(item) for item in value[:MAX_EVIDENCE_ITEMS]]
        if len(value) > MAX_EVIDENCE_ITEMS:
            kept.append(f"… et {len(value) - MAX_EVIDENCE_ITEMS} autre(s)")
        return kept
    if isinstance(value, dict):
        items = list(value.items())[:MAX_EVIDENCE_ITEMS]
        return {_finding_text(key): _evidence_value(item) for key, item in items}
    return value


def _fact_value(value: JsonValue) -> JsonValue:
    # Unlike evidence, no « … et N autre(s) » marker is added: facts keep the types their
    # schema declares (a list of integers stays a list of integers).
    if isinstance(value, str):
        return _finding_text(value)
    if isinstance(value, list):
        return [_fact_value(item) for item in value[:MAX_FACT_ITEMS]]
    if isinstance(value, dict):
        items = list(value.items())[:MAX_FACT_ITEMS]
        return {_finding_text(key): _fact_value(item) for key, item in items}
    return value


#: Text of a finding that may come from the network: printable only, and bounded.
FindingText = Annotated[str, AfterValidator(_finding_text)]
EvidenceValue = Annotated[JsonValue, AfterValidator(_evidence_value)]
FactsValue = Annotated[dict[str, JsonValue], AfterValidator(_fact_value)]


class Severity(StrEnum):
    """How serious a failed finding is, from `info` to `critical`."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for info up to 4 for critical, for sorting."""
        return list(Severity).index(self)


class Basis(StrEnum):
    """Why a control is asked of the practice: a binding text, or a guide's advice.

    The two feed different measures (issue « verdict »): obligations make the conformity
    verdict, recommendations the security score; a good DNS can never lift the former.
    """

    OBLIGATION = "obligation"
    RECOMMENDATION = "recommandation"


class Status(StrEnum):
    """Outcome of one finding.

    `indeterminate` means the tool could not tell (server unreachable, timeout, unanswered
    question); it always carries an `ErrorInfo` saying why.
    """

    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    INDETERMINATE = "indeterminate"


class Reference(BaseModel):
    """A citable source: RGPD article, CNIL/ANS document, RFC."""

    model_config = ConfigDict(frozen=True)

    label: str
    url: str | None = None


class ErrorInfo(BaseModel):
    """Why a finding is indeterminate."""

    reason: ErrorReason
    message: FindingText


class Evidence(BaseModel):
    """One labelled piece of evidence (a DNS record, a certificate date, a server reply)."""

    label: FindingText
    value: EvidenceValue


class Facts(BaseModel):
    """What a check observed, typed: the ground its verdict stands on.

    Each subclass names its `kind` (« spf.publication »), stable across versions: audit.json
    stores the facts of a finding with their kind, and `rgpd-audit checks schema` publishes
    the JSON schema of every kind. Facts hold observations (records, versions, key sizes,
    counts), never French prose: the summary and evidence are written from them.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ClassVar[str] = ""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if not cls.__dict__.get("kind"):
            raise TypeError(f"{cls.__qualname__} : faits sans « kind » (ClassVar[str])")

    def evidence(self) -> list[Evidence]:
        """The facts as labelled evidence for the report; none unless a subclass says."""
        return []


class CheckMeta(BaseModel):
    """Metadata of one check, read from the YAML sidecar next to its module."""

    id: str = Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
    title: str
    category: str
    severity: Severity
    description: str
    risk: str
    remediation: str
    remediation_variants: dict[str, str] = Field(
        default_factory=dict,
        description="Remediations for particular outcomes, chosen by a result's remediation_key",
    )
    references: list[str | Reference] = Field(
        min_length=1,
        description="Slugs of the reference catalog, or {label, url} for a plugin's own source",
    )
    basis: Basis | None = Field(
        None,
        description="obligation (a binding text imposes it) or recommandation (a guide or "
        "standard advises it); absent for a plugin that does not say: read as a recommendation",
    )
    basis_reference: str | Reference | None = Field(
        None, description="The text that makes it an obligation or a recommendation"
    )
    counts_as: str | None = Field(
        None,
        description="Id of the control this one measures too (e.g. the password policy seen "
        "in the answers and by a check): such controls count once, at their worst",
    )
    exposes_health_data: bool = Field(
        False,
        description="Its failure exposes health data now: a recommendation may then be rated "
        "above medium (severity policy, audit/data/scoring.yaml)",
    )


class CheckResult(BaseModel):
    """What a check function returns, one per subject (e.g. one per MX address).

    The engine turns it into a `Finding` by adding the check's metadata. `severity` overrides
    the check's default severity for this result only (e.g. a certificate that is valid but
    expires soon is a low-severity failure of a high-severity check).
    """

    status: Status
    summary: FindingText
    subject: FindingText | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    severity: Severity | None = None
    error: ErrorInfo | None = None
    remediation_key: str | None = Field(
        None, description="Key of the check's remediation_variants to use instead of remediation"
    )
    facts: SerializeAsAny[Facts] | None = None


class Finding(BaseModel):
    """One verdict in the report, from a check or from a questionnaire answer."""

    check_id: str
    source: Literal["check", "questionnaire"] = "check"
    title: str
    status: Status
    severity: Severity
    check_severity: Severity | None = Field(
        None,
        description="Default severity of the control, which sets its weight in the score "
        "(absent: same as severity)",
    )
    category: str
    subject: FindingText | None = None
    summary: FindingText
    evidence: list[Evidence] = Field(default_factory=list)
    remediation: str
    references: list[Reference] = Field(default_factory=list)
    basis: Basis | None = Field(
        None, description="obligation or recommandation (absent: read as a recommendation)"
    )
    basis_reference: Reference | None = Field(
        None, description="The text that makes this control an obligation or a recommendation"
    )
    counts_as: str | None = Field(
        None, description="Control this finding is counted with (absent: its own check_id)"
    )
    error: ErrorInfo | None = None
    facts_kind: str | None = Field(
        None, description="Kind of `facts` (its schema: `rgpd-audit checks schema`)"
    )
    facts: FactsValue | None = Field(
        None, description="What the check observed, typed by `facts_kind`; absent when unknown"
    )
    duration_ms: int | None = None

    @property
    def control(self) -> str:
        """The unit of counting and scoring: one per measured thing, whatever its source."""
        return self.counts_as or self.check_id

    @property
    def is_obligation(self) -> bool:
        """Whether a binding text imposes this control."""
        return self.basis is Basis.OBLIGATION


class CategoryScore(BaseModel):
    """Score of one category (or of the whole audit when `category` is `global`)."""

    category: str
    label: str
    score: int | None = Field(description="0–100, absent when nothing could be evaluated")
    grade: str | None
    evaluated: int
    not_evaluated: int
    coverage: int = Field(description="Part of the category's controls actually evaluated, in %")
    failed: int
    capped_by_critical: bool = False


class Scores(BaseModel):
    """Overall score and one score per category."""

    overall: CategoryScore
    categories: list[CategoryScore]


class Verdict(BaseModel):
    """The headline of an audit: conformity to the obligations, security score beside it."""

    grade: str | None = Field(
        description="Conformity letter (obligations only, capped by the worst unmet one); "
        "null when conformity was not evaluated (no questionnaire answers)"
    )
    conformity_score: int | None = Field(
        None, description="0–100 over the obligations evaluated, before the cap"
    )
    security_score: int | None = Field(
        description="0–100 over the recommendations (security and good practice); null when "
        "none could be evaluated"
    )
    unmet_obligations: int = Field(description="Obligations not met (each control counted once)")
    met_obligations: int = 0
    capped_by: Severity | None = Field(
        None, description="Severity of the unmet obligation that capped the letter, if any"
    )
    scope: Literal["complet", "technique"] = Field(
        "complet", description="technique: technical checks only, conformity not evaluated"
    )
    failed_controls: int = Field(
        0,
        description="Non-compliant controls, obligations and recommendations (the one "
        "count shown on the console, in the report and here)",
    )


class Target(BaseModel):
    """What is audited."""

    domain: str
    practice_name: str | None = None
    emails: list[str] = Field(default_factory=list)
    profile: str | None = None


class DataSnapshot(BaseModel):
    """Date and source of a data file shipped with the tool (provider list, references…)."""

    name: str
    source: str
    retrieved: str


class AnswerLine(BaseModel):
    """One answer as the report shows it: the question's text and the answer in words."""

    question_id: str
    section: str
    question: str
    answer: str


class TrendPoint(BaseModel):
    """One audit's verdict as the history and the evolution chart show it."""

    date: datetime
    grade: str | None = Field(description="Conformity letter, null when not evaluated")
    security_score: int | None
    unmet_obligations: int
    failed_controls: int


class FindingRef(BaseModel):
    """A finding named as the report and `diff` show it; `control` + `subject` is its stable
    key from one audit to the next."""

    control: str
    subject: str | None = None
    title: str
    severity: Severity
    basis: Basis | None = None


class FindingChanges(BaseModel):
    """What became of the non-compliant findings between two audits of one practice."""

    resolved: list[FindingRef] = Field(
        default_factory=list, description="Failed before, compliant (or not applicable) now"
    )
    new: list[FindingRef] = Field(default_factory=list, description="Failed now, not failed before")
    persisting: list[FindingRef] = Field(default_factory=list, description="Failed in both")
    unverified: list[FindingRef] = Field(
        default_factory=list,
        description="Failed before, not evaluated now (never counted as resolved)",
    )


class Evolution(BaseModel):
    """The practice since its previous recorded audit (section « Évolution » of the report)."""

    previous: TrendPoint
    trend: list[TrendPoint] = Field(
        description="Recorded audits of the practice, oldest first, this one last"
    )
    changes: FindingChanges


class Consultant(BaseModel):
    """Who carried the audit out and signs the report (`rgpd-audit config`)."""

    firm: str | None = Field(None, description="Consulting firm")
    name: str | None = Field(None, description="Consultant's name")
    role: str | None = Field(None, description="Consultant's title, e.g. « DPO externe »")
    contact: str | None = Field(None, description="E-mail address or telephone number")
    accent_color: str | None = Field(
        None, pattern=r"^#[0-9a-fA-F]{6}$", description="Report accent colour, #rrggbb"
    )
    logo: str | None = Field(
        None,
        pattern=r"^data:image/(png|jpeg|svg\+xml);base64,[A-Za-z0-9+/=]+$",
        description="Logo as a data: URL (PNG, JPEG or SVG), so that a re-render keeps it",
    )


class FileDigest(BaseModel):
    """A file handed over with the audit and its SHA-256, as proof of what was delivered."""

    name: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0, description="Size in bytes")


class AuditResult(BaseModel):
    """Content of `audit.json`."""

    schema_version: int = SCHEMA_VERSION
    tool_version: str
    target: Target
    started_at: datetime
    finished_at: datetime | None = None
    complete: bool = Field(True, description="False when the audit was interrupted (Ctrl-C)")
    findings: list[Finding] = Field(default_factory=list)
    answers: dict[str, JsonValue] = Field(
        default_factory=dict, description="Answers as given, keyed by question id"
    )
    answer_lines: list[AnswerLine] = Field(
        default_factory=list, description="The same answers worded for the report"
    )
    questionnaire: str | None = Field(None, description="id and version of the questionnaire")
    profile_label: str | None = Field(None, description="The target's profile in words")
    scores: Scores | None = None
    verdict: Verdict | None = None
    data_snapshots: list[DataSnapshot] = Field(default_factory=list)
    evolution: Evolution | None = Field(
        None,
        description="Comparison with the previous recorded audit of the practice; absent on "
        "a first audit or without history",
    )
    consultant: Consultant | None = Field(None, description="Who carried the audit out")
    deliverables: list[FileDigest] = Field(
        default_factory=list,
        description="SHA-256 of the other files written with this audit.json (report.pdf, "
        "report.html, exports); a file cannot hold its own digest, so audit.json's is the one "
        "printed on the console. The copy of audit.json embedded in report.pdf has none.",
    )
