"""The tables of the exports (XLSX, CSV): the action plan and every control, in French.

Rows come from the same `ReportStructure` as the report, so a control keeps its number, its
action and its counting in every file handed to the client. Cells are plain text (dates in
ISO form for spreadsheets to sort them); nothing here is markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rgpd_audit.catalog import scoring_table
from rgpd_audit.models import AuditResult
from rgpd_audit.render.controls import Outcome
from rgpd_audit.render.structure import Numbered, ReportStructure, report_structure

Cell = str | int | date | None

_SEVERITY = {"critical": "critique", "high": "élevée", "medium": "moyenne", "low": "faible"}
_SEVERITY["info"] = "information"
_OUTCOME = {
    Outcome.NON_COMPLIANT: "non conforme",
    Outcome.ADVICE: "conseil",
    Outcome.TO_CONFIRM: "à confirmer",
    Outcome.COMPLIANT: "conforme",
    Outcome.NOT_APPLICABLE: "sans objet",
}


@dataclass(frozen=True)
class Table:
    """One exported table: a sheet of the workbook, one CSV file."""

    name: str  # sheet name (≤ 31 characters, Excel's limit)
    file_stem: str  # CSV file name without extension
    header: tuple[str, ...]
    widths: tuple[int, ...]  # column widths in characters, for the workbook
    rows: list[tuple[Cell, ...]]


def _basis(n: Numbered) -> str:
    return "obligation" if n.view.is_obligation else "recommandation"


def _reference(n: Numbered) -> str:
    ref = n.item.reference if n.item else None
    if ref is None:
        first = n.view.first
        ref = first.basis_reference or (first.references[0] if first.references else None)
    return ref.label if ref else ""


def plan_table(structure: ReportStructure) -> Table:
    """The action plan, then the advice, one row per control."""
    rows: list[tuple[Cell, ...]] = []
    for kind, numbered in (("action", structure.plan), ("conseil", structure.advice)):
        for n in numbered:
            assert n.item is not None  # plan and advice always carry their plan line
            rows.append(
                (
                    n.number,
                    kind,
                    _SEVERITY[n.view.severity],
                    _basis(n),
                    n.view.title,
                    n.item.action,
                    n.item.who,
                    n.item.effort_label,
                    n.item.deadline,
                    _reference(n),
                )
            )
    return Table(
        name="Plan d'action",
        file_stem="plan-action",
        header=(
            "N°",
            "Type",
            "Gravité",
            "Fondement",
            "Constat",
            "Action",
            "Qui",
            "Effort",
            "Échéance suggérée",
            "Référence",
        ),
        widths=(6, 10, 12, 15, 45, 70, 22, 10, 14, 40),
        rows=rows,
    )


def findings_table(result: AuditResult, structure: ReportStructure) -> Table:
    """Every finding (one row per subject), under its control's number and outcome."""
    categories = scoring_table().categories
    rows: list[tuple[Cell, ...]] = []
    for n in structure.all:
        for f in n.view.findings:
            rows.append(
                (
                    n.number,
                    _OUTCOME[n.view.outcome],
                    categories.get(f.category, f.category),
                    f.title,
                    f.subject or "",
                    _SEVERITY[f.severity],
                    _basis(n),
                    f.summary,
                    f.remediation,
                    "; ".join(r.label for r in f.references),
                )
            )
    return Table(
        name="Constats",
        file_stem="constats",
        header=(
            "N°",
            "Résultat",
            "Catégorie",
            "Point contrôlé",
            "Objet",
            "Gravité",
            "Fondement",
            "Constat",
            "Recommandation",
            "Références",
        ),
        widths=(6, 14, 30, 45, 30, 12, 15, 70, 70, 50),
        rows=rows,
    )


def export_tables(result: AuditResult) -> list[Table]:
    """The tables every export holds, in order."""
    structure = report_structure(result)
    return [plan_table(structure), findings_table(result, structure)]
