"""The action plan: who does what, with which effort, by when, for each non-compliant control.

Who, effort and delay are content, not code: `audit/data/actions.yaml` holds them per control
id with a default per category, so that a DPO can adjust them without Python. The action's
text is the first sentence of the control's remediation unless the catalogue rewords it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rgpd_audit.datafiles import register_data_file
from rgpd_audit.models import Reference, Severity
from rgpd_audit.render.controls import ControlView
from rgpd_audit.render.wording import short_action


class Who(StrEnum):
    """Who carries an action out."""

    CABINET = "cabinet"
    PRESTATAIRE = "prestataire"
    EDITEUR = "editeur"
    HEBERGEUR = "hebergeur"
    DPO = "dpo"


class Effort(StrEnum):
    """Order of magnitude of the work, from quickest to longest."""

    MINUTES = "minutes"
    HEURES = "heures"
    JOURS = "jours"

    @property
    def rank(self) -> int:
        """0 for minutes up to 2 for days, for sorting quick wins first."""
        return list(Effort).index(self)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ActionDefaults(_Strict):
    """Who acts and how long it takes, for a whole category."""

    who: Who
    effort: Effort


class ActionEntry(_Strict):
    """Overrides for one control; every field falls back to its category's default."""

    who: Who | None = None
    effort: Effort | None = None
    deadline_days: int | None = Field(None, ge=0, le=3650)
    action: str | None = Field(None, min_length=1)


class ActionCatalog(_Strict):
    """audit/data/actions.yaml."""

    who_labels: dict[Who, str]
    effort_labels: dict[Effort, str]
    deadline_days: dict[Severity, int]
    categories: dict[str, ActionDefaults]
    default: ActionDefaults
    controls: dict[str, ActionEntry] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _complete_tables(self) -> ActionCatalog:
        for name, table, keys in (
            ("who_labels", self.who_labels, list(Who)),
            ("effort_labels", self.effort_labels, list(Effort)),
            ("deadline_days", self.deadline_days, list(Severity)),
        ):
            missing = [k.value for k in keys if k not in table]
            if missing:
                raise ValueError(f"{name} : valeur(s) manquante(s) : {', '.join(missing)}")
        return self


ACTIONS = register_data_file(
    "rgpd_audit.data",
    "actions.yaml",
    ActionCatalog,
    name="Actions du plan d'action",
    in_report=False,
)


def action_catalog() -> ActionCatalog:
    """The shipped action catalogue (validated, errors naming line and field)."""
    return ACTIONS.load()


@dataclass(frozen=True)
class PlanItem:
    """One line of the action plan."""

    view: ControlView
    action: str
    who: str
    effort: Effort
    effort_label: str
    deadline: date
    reference: Reference | None

    @property
    def sort_key(self) -> tuple[int, int, int, str]:
        """Obligations first, then the worst severity, then the quickest to do."""
        view = self.view
        return (0 if view.is_obligation else 1, -view.severity.rank, self.effort.rank, view.title)


def plan_item(view: ControlView, audit_day: date, catalog: ActionCatalog) -> PlanItem:
    """The plan line of `view`, dated from `audit_day`."""
    first = view.first
    entry = catalog.controls.get(view.control) or catalog.controls.get(first.check_id)
    defaults = catalog.categories.get(first.category, catalog.default)
    who = (entry and entry.who) or defaults.who
    effort = (entry and entry.effort) or defaults.effort
    days = entry.deadline_days if entry and entry.deadline_days is not None else None
    if days is None:
        days = catalog.deadline_days[view.severity]
    return PlanItem(
        view=view,
        action=(entry and entry.action) or short_action(first.remediation),
        who=catalog.who_labels[who],
        effort=effort,
        effort_label=catalog.effort_labels[effort],
        deadline=audit_day + timedelta(days=days),
        reference=first.basis_reference or (first.references[0] if first.references else None),
    )


def action_plan(
    views: list[ControlView], audit_day: date, catalog: ActionCatalog | None = None
) -> list[PlanItem]:
    """Plan lines of `views`, in priority order (see `PlanItem.sort_key`)."""
    table = catalog or action_catalog()
    return sorted((plan_item(v, audit_day, table) for v in views), key=lambda i: i.sort_key)
