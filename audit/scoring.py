"""Findings → the verdict (conformity and security) and scores per category.

The method is described in scoring.yaml. The unit of scoring is a control, not a finding: a
check run on three MX servers counts once, judged by its least favourable server, and
controls that measure the same thing (`counts_as`: the password policy declared in the
answers and judged by a check) count once too.

Two measures are never blended (issue « verdict »): the **conformity** letter comes from the
obligations alone (a binding text imposes them) and is capped by the worst unmet one; the
**security** score weighs the recommendations. A well-configured DNS cannot lift the former.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rgpd_audit.catalog import ScoringTable, scoring_table
from rgpd_audit.models import CategoryScore, Finding, Scores, Severity, Status, Verdict

OVERALL = "global"
SECURITY_LABEL = "Sécurité et bonnes pratiques"


@dataclass(frozen=True)
class ControlOutcome:
    """One control's contribution: points earned out of `weight`, if it was evaluated."""

    category: str
    weight: int
    earned: int
    evaluated: bool
    failed: bool
    critical_failure: bool
    obligation: bool = False
    worst_failure: Severity | None = None


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
    recommendations = [c for c in controls if not c.obligation]
    overall = _summarise(OVERALL, SECURITY_LABEL, recommendations, table)
    return Scores(overall=overall, categories=per_category)


def verdict(
    findings: Sequence[Finding], answered: bool, table: ScoringTable | None = None
) -> Verdict:
    """The headline: conformity letter from the obligations, security score beside it.

    `answered` says whether questionnaire answers were given: without them most obligations
    (register, information, contracts…) were never asked, so no conformity letter is given.
    """
    table = table or scoring_table()
    controls = _controls(findings, table)
    obligations = [c for c in controls if c.obligation and c.evaluated]
    unmet = [c for c in obligations if c.failed]
    security = _summarise(OVERALL, SECURITY_LABEL, [c for c in controls if not c.obligation], table)
    grade, conformity, capped_by = None, None, None
    if answered and obligations:
        possible = sum(c.weight for c in obligations)
        conformity = round(100 * sum(c.earned for c in obligations) / possible) if possible else 100
        grade = grade_for(conformity, table)
        worst = max(
            (c.worst_failure for c in unmet if c.worst_failure), key=lambda s: s.rank, default=None
        )
        cap = table.conformity_caps.get(worst) if worst else None
        letters = [step.grade for step in table.grades]
        if cap is not None and letters.index(grade) < letters.index(cap):
            grade, capped_by = cap, worst
    return Verdict(
        grade=grade,
        conformity_score=conformity,
        security_score=security.score,
        unmet_obligations=len(unmet),
        met_obligations=len(obligations) - len(unmet),
        capped_by=capped_by,
        scope="complet" if answered else "technique",
        failed_controls=sum(c.failed for c in controls if c.evaluated),
    )


def grade_for(value: int, table: ScoringTable) -> str:
    """The letter of `value` (0–100) according to the table's thresholds."""
    for step in table.grades:
        if value >= step.min:
            return step.grade
    return table.grades[-1].grade


def _controls(findings: Iterable[Finding], table: ScoringTable) -> list[ControlOutcome]:
    groups: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        groups[finding.control].append(finding)
    weights = table.severity_weights
    outcomes = []
    for group in groups.values():
        weight = max(weights[f.check_severity or f.severity] for f in group)
        fails = [f for f in group if f.status is Status.FAIL]
        penalty = max((weights[f.severity] for f in fails), default=0)
        # A failed control is an obligation when a failing rule rests on a binding text; a
        # control in order is one when it is declared so.
        judged = [f for f in fails if f.severity is not Severity.INFO] or group
        outcomes.append(
            ControlOutcome(
                category=group[0].category,
                weight=weight,
                earned=weight - min(penalty, weight),
                evaluated=_evaluated(group),
                # A failed "info" rule is advice: no weight, and not a non-compliance.
                failed=any(f.severity is not Severity.INFO for f in fails),
                critical_failure=any(f.severity is Severity.CRITICAL for f in fails),
                obligation=any(f.is_obligation for f in judged),
                worst_failure=max((f.severity for f in fails), key=lambda s: s.rank, default=None),
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
