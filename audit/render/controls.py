"""Findings gathered per control, the report's unit: one card, one row, one number each.

A control is what the verdict counts (`Finding.control`): a check on three MX servers, or a
password policy both declared and tested, is one point. Grouping here with the same rules as
the scoring (`audit/scoring.py`) keeps every count of the report equal to the headline's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from rgpd_audit.models import Finding, Severity, Status


class Outcome(StrEnum):
    """What the report does with a control."""

    NON_COMPLIANT = "non_conforme"  # a failed rule with weight: in the action plan
    ADVICE = "conseil"  # only failed weightless ("info") rules: good practice
    TO_CONFIRM = "a_confirmer"  # nothing failed, something could not be evaluated
    COMPLIANT = "conforme"
    NOT_APPLICABLE = "sans_objet"


# Order of a control's findings on its card: problems first, as in the rest of the report.
_STATUS_ORDER = {Status.FAIL: 0, Status.INDETERMINATE: 1, Status.PASS: 2, Status.NOT_APPLICABLE: 3}


@dataclass(frozen=True)
class ControlView:
    """The findings of one control and what they amount to."""

    control: str
    findings: tuple[Finding, ...]
    outcome: Outcome

    @property
    def first(self) -> Finding:
        """The finding whose title, remediation and references represent the control."""
        return self.findings[0]

    @property
    def title(self) -> str:
        """The control's title (its first finding's)."""
        return self.first.title

    @property
    def severity(self) -> Severity:
        """Worst severity among the findings that decided the outcome."""
        deciding = [f for f in self.findings if f.status is self.first.status] or [self.first]
        return max((f.severity for f in deciding), key=lambda s: s.rank)

    @property
    def is_obligation(self) -> bool:
        """Whether a binding text imposes the control (any of its findings says so)."""
        return any(f.is_obligation for f in self.findings)

    @property
    def merged(self) -> bool:
        """Whether the control has several subjects (MX addresses, register rows…)."""
        return len(self.findings) > 1

    @property
    def mixed(self) -> bool:
        """Whether its findings have different statuses (one MX fails, another passes)."""
        return len({f.status for f in self.findings}) > 1

    @property
    def remediations(self) -> list[str]:
        """Distinct remediations of the findings that decided the outcome, in order."""
        deciding = [f for f in self.findings if f.status is self.first.status]
        return list(dict.fromkeys(f.remediation for f in deciding))

    @property
    def with_evidence(self) -> list[Finding]:
        """Findings whose evidence goes to the annex (answers have their own table)."""
        return [f for f in self.findings if f.evidence and f.source == "check"]


def _outcome(findings: list[Finding]) -> Outcome:
    statuses = {f.status for f in findings}
    if any(f.status is Status.FAIL and f.severity is not Severity.INFO for f in findings):
        return Outcome.NON_COMPLIANT
    if Status.FAIL in statuses:
        return Outcome.ADVICE
    if Status.INDETERMINATE in statuses:
        return Outcome.TO_CONFIRM
    if Status.PASS in statuses:
        return Outcome.COMPLIANT
    return Outcome.NOT_APPLICABLE


def _finding_order(finding: Finding) -> tuple[int, int, str]:
    return (_STATUS_ORDER[finding.status], -finding.severity.rank, finding.subject or "")


def control_views(findings: list[Finding]) -> list[ControlView]:
    """One view per control, in the order controls first appear in `findings`."""
    groups: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        groups[finding.control].append(finding)
    return [
        ControlView(control, tuple(sorted(group, key=_finding_order)), _outcome(group))
        for control, group in groups.items()
    ]
