"""Findings → scores per category and overall. The method is described in scoring.yaml.

The unit of scoring is a control (a check id or a question id), not a finding: a check run
on three MX servers counts once, judged by its least favourable server.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rgpd_audit.catalog import ScoringTable, scoring_table
from rgpd_audit.models import CategoryScore, Finding, Scores, Severity, Status

OVERALL = "global"


@dataclass(frozen=True)
class ControlOutcome:
    """One control's contribution: points earned out of `weight`, if it was evaluated."""

    category: str
    weight: int
    earned: int
    evaluated: bool
    failed: bool
    critical_failure: bool


def score(findings: Sequence[Finding], table: ScoringTable | None = None) -> Scores:
    """Scores per category (in the table's order, then any other) and overall."""
    table = table or scoring_table()
    controls = _controls(findings, table)
    categories = list(table.categories)
    categories += sorted({c.category for c in controls} - set(categories))
    per_category = [
        _summarise(
            cat, table.categories.get(cat, cat), [c for c in controls if c.category == cat], table
        )
        for cat in categories
        if any(c.category == cat for c in controls)
    ]
    overall = _summarise(OVERALL, "Note globale", controls, table)
    return Scores(overall=overall, categories=per_category)


def grade_for(value: int, table: ScoringTable) -> str:
    """The letter of `value` (0–100) according to the table's thresholds."""
    for step in table.grades:
        if value >= step.min:
            return step.grade
    return table.grades[-1].grade


def _controls(findings: Iterable[Finding], table: ScoringTable) -> list[ControlOutcome]:
    groups: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        groups[finding.check_id].append(finding)
    weights = table.severity_weights
    outcomes = []
    for group in groups.values():
        weight = max(weights[f.check_severity or f.severity] for f in group)
        fails = [f for f in group if f.status is Status.FAIL]
        penalty = max((weights[f.severity] for f in fails), default=0)
        outcomes.append(
            ControlOutcome(
                category=group[0].category,
                weight=weight,
                earned=weight - min(penalty, weight),
                evaluated=_evaluated(group),
                # A failed "info" rule is advice: no weight, and not a non-compliance.
                failed=any(f.severity is not Severity.INFO for f in fails),
                critical_failure=any(f.severity is Severity.CRITICAL for f in fails),
            )
        )
    return outcomes


def _evaluated(group: list[Finding]) -> bool:
    """A control counts when it failed somewhere, or passed everywhere it could be tested.

    One MX that passes next to one that could not be reached is not a pass: counting it
    would let an unreachable server raise the score.
    """
    statuses = {f.status for f in group}
    if Status.FAIL in statuses:
        return True
    return Status.PASS in statuses and Status.INDETERMINATE not in statuses


def _summarise(
    category: str, label: str, controls: list[ControlOutcome], table: ScoringTable
) -> CategoryScore:
    evaluated = [c for c in controls if c.evaluated]
    possible = sum(c.weight for c in evaluated)
    value = round(100 * sum(c.earned for c in evaluated) / possible) if possible else None
    grade = grade_for(value, table) if value is not None else None
    capped = False
    if grade is not None and any(c.critical_failure for c in evaluated):
        letters = [step.grade for step in table.grades]
        cap = table.critical_failure_cap
        if letters.index(grade) < letters.index(cap):
            grade, capped = cap, True
    return CategoryScore(
        category=category,
        label=label,
        score=value,
        grade=grade,
        evaluated=len(evaluated),
        not_evaluated=len(controls) - len(evaluated),
        coverage=round(100 * len(evaluated) / len(controls)) if controls else 0,
        failed=sum(c.failed for c in evaluated),
        capped_by_critical=capped,
    )
