"""`report.html`: the French report, also the input of the PDF renderer.

Wording, labels and layout live in `report_templates/`; this module only hands the model to
Jinja with a few helpers (French dates, ordering, grouping by category).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from importlib.resources import files
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from rgpd_audit.catalog import scoring_table
from rgpd_audit.models import AuditResult, CategoryScore, Finding, Severity, Status

TEMPLATES_PACKAGE = "rgpd_audit.report_templates"

_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

# Report order of statuses: what needs action first.
_STATUS_ORDER = {
    Status.FAIL: 0,
    Status.INDETERMINATE: 1,
    Status.PASS: 2,
    Status.NOT_APPLICABLE: 3,
}

# A sentence ends at . ! ? or … followed by a capital letter (or the end of the text), so that
# "p. ex." or "v1.2" do not cut a remediation in the middle.
_FIRST_SENTENCE = re.compile(r"^(.+?[.!?…])(?=\s+[«A-ZÀ-ÖØ-Þ]|\s*$)", re.DOTALL)


def templates_dir() -> Path:
    """Directory of the report templates (also WeasyPrint's base URL)."""
    # The package is always installed as plain files (setuptools, editable or not), so the
    # Traversable is a real directory.
    return Path(str(files(TEMPLATES_PACKAGE))).resolve()


def _paris_time(value: datetime) -> datetime:
    """`value` in French metropolitan time, which the report states it uses.

    Naive datetimes are taken as already local; without tz data (slim images) the stored
    offset is kept rather than failing the whole report.
    """
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(ZoneInfo("Europe/Paris"))
    except ZoneInfoNotFoundError:
        return value


def format_date_fr(value: datetime | date | str | None) -> str:
    """Format a date in French, e.g. « 25 novembre 2026 » (« 1er » for the first day)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = _paris_time(value)
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            # Data snapshots may carry free text such as « 2026 » or « novembre 2026 ».
            return value
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {_MONTHS[value.month - 1]} {value.year}"


def format_time_fr(value: datetime | None) -> str:
    """Format a time of day in French typography, e.g. « 14 h 05 »."""
    if value is None:
        return "—"
    value = _paris_time(value)
    return f"{value.hour} h {value.minute:02d}"


def first_sentence(text: str) -> str:
    """First sentence of `text` (the whole text when it has a single sentence)."""
    text = " ".join(text.split())
    match = _FIRST_SENTENCE.match(text)
    return match.group(1) if match else text


def finding_priority(finding: Finding) -> tuple[int, int, str]:
    """Sort key: status (fail, indeterminate, pass, n/a), then severity (critical first).

    Problems come before what is in order: a passed high-severity control must not push a
    failed low-severity one down the page.
    """
    return (_STATUS_ORDER[finding.status], -finding.severity.rank, finding.title)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Findings in report order (see `finding_priority`)."""
    return sorted(findings, key=finding_priority)


@dataclass(frozen=True)
class FindingCard:
    """One numbered card of the report: a finding, or several findings of one check that
    say the same thing (same status, severity and remediation) about different subjects,
    such as the addresses of the MX servers or the rows of a register."""

    findings: tuple[Finding, ...]

    @property
    def first(self) -> Finding:
        """The finding whose title, remediation and references the card shows."""
        return self.findings[0]

    @property
    def merged(self) -> bool:
        """Whether the card lists several subjects."""
        return len(self.findings) > 1

    @property
    def with_evidence(self) -> list[Finding]:
        """Members whose evidence goes to the annex (answers are shown in section 3)."""
        return [f for f in self.findings if f.evidence and f.source == "check"]


def _card_key(finding: Finding) -> tuple[object, ...]:
    reason = finding.error.reason if finding.error else None
    return (finding.check_id, finding.status, finding.severity, finding.remediation, reason)


def finding_cards(findings: list[Finding]) -> list[FindingCard]:
    """Consecutive findings (in report order) that say the same thing, one card each."""
    cards: list[FindingCard] = []
    for finding in findings:
        if cards and _card_key(cards[-1].first) == _card_key(finding):
            cards[-1] = FindingCard((*cards[-1].findings, finding))
        else:
            cards.append(FindingCard((finding,)))
    return cards


@dataclass
class CategoryGroup:
    """Findings of one category, with the category's label and score."""

    id: str
    label: str
    score: CategoryScore | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def cards(self) -> list[FindingCard]:
        """The findings as the report numbers them (see `FindingCard`)."""
        return finding_cards(self.findings)


def group_by_category(result: AuditResult) -> list[CategoryGroup]:
    """Findings grouped by category, in the order of the scores (else of scoring.yaml).

    A finding whose category is unknown to both still appears, in a trailing group named
    after its raw category id, so that nothing is silently left out of the report.
    """
    groups: dict[str, CategoryGroup] = {}
    if result.scores is not None:
        for score in result.scores.categories:
            groups[score.category] = CategoryGroup(score.category, score.label, score)
    for category, label in scoring_table().categories.items():
        groups.setdefault(category, CategoryGroup(category, label, None))
    for finding in sort_findings(result.findings):
        groups.setdefault(
            finding.category, CategoryGroup(finding.category, finding.category, None)
        ).findings.append(finding)
    return [group for group in groups.values() if group.findings or group.score is not None]


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_dir()),
        # Forced on for every template name: summaries and evidence carry text from DNS TXT
        # records, SMTP banners and certificates, i.e. from whoever controls those servers.
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date_fr"] = format_date_fr
    env.filters["time_fr"] = format_time_fr
    env.filters["first_sentence"] = first_sentence
    env.filters["sort_findings"] = sort_findings
    env.globals["severities"] = sorted(Severity, key=lambda s: -s.rank)
    return env


def render_html(result: AuditResult) -> str:
    """Render the full French report of `result` as a standalone HTML document."""
    table = scoring_table()
    return (
        _environment()
        .get_template("report.html")
        .render(
            result=result,
            scoring=table,
            groups=group_by_category(result),
            findings=sort_findings(result.findings),
        )
    )
