"""The portfolio report (`portefeuille.pdf`): the whole client list at a glance.

Verdict distribution, the most frequent non-compliant points across practices, practices
ordered by risk, and those whose verdict dropped since their previous recorded audit (from
the history). Figures are gathered from the outcomes one at a time, keeping counters and
bounded lists only, so that a list of thousands of practices fits in flat memory.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from rgpd_audit.models import Severity
from rgpd_audit.practice import PracticeOutcome

PDF_NAME = "portefeuille.pdf"
#: Lines of each list in the report: the riskiest practices, the most frequent findings.
MAX_LISTED = 50
TOP_FINDINGS = 15
GRADES = ("A", "B", "C", "D", "E", "F")
#: A security score drop of at least this many points counts as a drop.
SCORE_DROP = 10


@dataclass(frozen=True)
class RiskLine:
    """One practice in the « by risk » and « drops » lists."""

    domain: str
    name: str | None
    grade: str | None
    security_score: int | None
    unmet_obligations: int
    failed_controls: int
    first_action: str | None
    previous_grade: str | None = None
    previous_score: int | None = None
    previous_date: datetime | None = None


def risk_key(line: RiskLine) -> tuple[int, int, int, int]:
    """Larger is riskier: worse letter, more unmet obligations, lower score, more points."""
    grade = GRADES.index(line.grade) if line.grade in GRADES else -1
    score = line.security_score if line.security_score is not None else 100
    return (grade, line.unmet_obligations, 100 - score, line.failed_controls)


@dataclass
class PortfolioFigures:
    """What the report shows, gathered one outcome at a time."""

    total: int = 0
    finished: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    failure_count: int = 0
    grades: Counter[str] = field(default_factory=Counter)
    findings: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    security_scores: list[int] = field(default_factory=list)
    _risky: list[tuple[tuple[int, int, int, int], int, RiskLine]] = field(default_factory=list)
    drops: list[RiskLine] = field(default_factory=list)
    drop_count: int = 0

    def add(self, outcome: PracticeOutcome) -> None:
        """Count one practice."""
        self.total += 1
        verdict = outcome.verdict
        if not outcome.ok or verdict is None:
            self.failure_count += 1
            if len(self.failures) < MAX_LISTED:
                self.failures.append((outcome.domain, outcome.failure or "échec"))
            return
        self.finished += 1
        self.grades[verdict.grade or "non évaluée"] += 1
        if verdict.security_score is not None:
            # One small int per practice: the median needs them all.
            self.security_scores.append(verdict.security_score)
        for finding in outcome.failed:
            self.findings[(finding.control, finding.title, finding.severity.value)] += 1
        line = RiskLine(
            domain=outcome.domain,
            name=outcome.practice_name,
            grade=verdict.grade,
            security_score=verdict.security_score,
            unmet_obligations=verdict.unmet_obligations,
            failed_controls=verdict.failed_controls,
            first_action=outcome.first_action,
            previous_grade=outcome.previous_grade,
            previous_score=outcome.previous_security_score,
            previous_date=outcome.previous_date,
        )
        # The MAX_LISTED riskiest so far (a min-heap on risk: the least risky goes first).
        entry = (risk_key(line), -self.total, line)
        if len(self._risky) < MAX_LISTED:
            heapq.heappush(self._risky, entry)
        else:
            heapq.heappushpop(self._risky, entry)
        if dropped(line):
            self.drop_count += 1
            if len(self.drops) < MAX_LISTED:
                self.drops.append(line)

    @property
    def riskiest(self) -> list[RiskLine]:
        """The riskiest practices, riskiest first."""
        return [line for _, _, line in sorted(self._risky, reverse=True)]

    @property
    def top_findings(self) -> list[tuple[str, str, int]]:
        """(title, severity, number of practices) of the most frequent failed controls."""
        return [
            (title, severity, count)
            for (_, title, severity), count in self.findings.most_common(TOP_FINDINGS)
        ]

    @property
    def median_score(self) -> int | None:
        """Median security score of the finished audits."""
        if not self.security_scores:
            return None
        ordered = sorted(self.security_scores)
        return ordered[len(ordered) // 2]


def dropped(line: RiskLine) -> bool:
    """Worse letter than at the previous audit, or a security score down by SCORE_DROP."""
    if line.previous_date is None:
        return False
    if (
        line.grade in GRADES
        and line.previous_grade in GRADES
        and GRADES.index(line.grade) > GRADES.index(line.previous_grade)
    ):
        return True
    if line.security_score is not None and line.previous_score is not None:
        return line.previous_score - line.security_score >= SCORE_DROP
    return False


def gather(outcomes: Iterable[PracticeOutcome]) -> PortfolioFigures:
    """The report's figures over `outcomes`."""
    figures = PortfolioFigures()
    for outcome in outcomes:
        figures.add(outcome)
    return figures


def render_portfolio_html(figures: PortfolioFigures, title: str) -> str:
    """The portfolio report as a standalone HTML document."""
    from rgpd_audit import clock
    from rgpd_audit.render.html import _environment

    severity_labels = {
        Severity.CRITICAL.value: "critique",
        Severity.HIGH.value: "élevée",
        Severity.MEDIUM.value: "moyenne",
        Severity.LOW.value: "faible",
        Severity.INFO.value: "info",
    }
    distribution = [(grade, figures.grades.get(grade, 0)) for grade in GRADES]
    if figures.grades.get("non évaluée"):
        distribution.append(("non évaluée", figures.grades["non évaluée"]))
    return (
        _environment()
        .get_template("portfolio.html")
        .render(
            title=title,
            generated=clock.now(),
            figures=figures,
            distribution=distribution,
            largest=max([count for _, count in distribution] or [1]) or 1,
            severity_labels=severity_labels,
            max_listed=MAX_LISTED,
        )
    )


def write_portfolio_pdf(figures: PortfolioFigures, root: Path, title: str) -> Path:
    """Write `portefeuille.pdf` into `root` (mode 0600, atomically); return its path."""
    from rgpd_audit.render.pdf import render_pdf

    path = root / PDF_NAME
    render_pdf(render_portfolio_html(figures, title), path)
    return path
