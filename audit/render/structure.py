"""What goes where in the report: the numbered controls of each part, the action plan.

The templates only lay out what this module decides, and the exports (XLSX, CSV) read the
same structure, so that a control has the same number and the same action everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from rgpd_audit.catalog import scoring_table
from rgpd_audit.dates import paris_day
from rgpd_audit.models import AuditResult
from rgpd_audit.render.action_plan import ActionCatalog, PlanItem, action_catalog, action_plan
from rgpd_audit.render.controls import ControlView, Outcome, control_views


@dataclass(frozen=True)
class Numbered:
    """A control with its number in the report (the plan's line number for an action)."""

    number: int
    view: ControlView
    item: PlanItem | None = None


@dataclass(frozen=True)
class ReportStructure:
    """The parts of the report, each control numbered once, in reading order."""

    plan: list[Numbered]
    advice: list[Numbered]
    to_confirm: list[Numbered]
    in_order: list[Numbered]

    @property
    def to_treat(self) -> list[Numbered]:
        """Controls shown in full: non-compliant, to confirm, then advice."""
        return [*self.plan, *self.to_confirm, *self.advice]

    @property
    def all(self) -> list[Numbered]:
        """Every control, by number."""
        return [*self.to_treat, *self.in_order]


def report_structure(result: AuditResult, catalog: ActionCatalog | None = None) -> ReportStructure:
    """Number the controls of `result`: action plan first, then to confirm, advice, the rest."""
    table = catalog or action_catalog()
    views = control_views(result.findings)
    day = paris_day(result.started_at)
    by_outcome = {o: [v for v in views if v.outcome is o] for o in Outcome}
    plan = action_plan(by_outcome[Outcome.NON_COMPLIANT], day, table)
    advice = action_plan(by_outcome[Outcome.ADVICE], day, table)
    category_rank = {c: i for i, c in enumerate(scoring_table().categories)}

    def reading_order(view: ControlView) -> tuple[int, str]:
        return (category_rank.get(view.first.category, len(category_rank)), view.title)

    counter = iter(range(1, len(views) + 1))
    numbered_plan = [Numbered(next(counter), item.view, item) for item in plan]
    to_confirm = [
        Numbered(next(counter), v)
        for v in sorted(by_outcome[Outcome.TO_CONFIRM], key=lambda v: (-v.severity.rank, v.title))
    ]
    numbered_advice = [Numbered(next(counter), item.view, item) for item in advice]
    rest = sorted(
        by_outcome[Outcome.COMPLIANT] + by_outcome[Outcome.NOT_APPLICABLE], key=reading_order
    )
    in_order = [Numbered(next(counter), v) for v in rest]
    return ReportStructure(numbered_plan, numbered_advice, to_confirm, in_order)
