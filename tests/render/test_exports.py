"""XLSX and CSV exports: opened as a spreadsheet user would, with openpyxl and Python's csv."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook

from rgpd_audit.models import AuditResult, Status
from rgpd_audit.render import Format, write_reports
from rgpd_audit.render.structure import report_structure

MakeResult = Callable[..., AuditResult]


def _csv_rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    # French Excel needs the byte-order mark to read UTF-8, and `;` as separator.
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_xlsx_has_one_filtered_sheet_per_table(result: AuditResult, tmp_path: Path) -> None:
    write_reports(result, tmp_path, [Format.XLSX])
    workbook = load_workbook(tmp_path / "report.xlsx")
    assert workbook.sheetnames == ["Plan d'action", "Constats"]
    plan = workbook["Plan d'action"]
    header = [c.value for c in plan[1]]
    assert header[:2] == ["N°", "Type"]
    assert {"Action", "Qui", "Effort", "Échéance suggérée", "Référence"} <= set(header)
    assert plan.auto_filter.ref == f"A1:J{plan.max_row}"
    assert plan.freeze_panes == "A2"
    assert plan.column_dimensions["F"].width == 70
    structure = report_structure(result)
    actions = [row for row in plan.iter_rows(min_row=2, values_only=True) if row[1] == "action"]
    # One count everywhere: the plan has one line per non-compliant control.
    assert result.verdict is not None
    assert len(actions) == len(structure.plan) == result.verdict.failed_controls
    assert [row[0] for row in actions] == [n.number for n in structure.plan]
    findings = workbook["Constats"]
    assert findings.max_row - 1 == len(result.findings)


def test_csv_for_french_excel(result: AuditResult, tmp_path: Path) -> None:
    write_reports(result, tmp_path, [Format.CSV])
    plan = _csv_rows(tmp_path / "plan-action.csv")
    assert plan[0][:3] == ["N°", "Type", "Gravité"]
    assert result.verdict is not None
    assert sum(row[1] == "action" for row in plan[1:]) == result.verdict.failed_controls
    # Dates as a French reader writes them.
    assert all(len(row[8].split("/")) == 3 for row in plan[1:])
    findings = _csv_rows(tmp_path / "constats.csv")
    assert len(findings) - 1 == len(result.findings)
    titles = {row[3] for row in findings[1:]}
    assert {f.title for f in result.findings} == titles


def test_outside_text_never_becomes_a_formula(
    make_result: MakeResult, result: AuditResult, tmp_path: Path
) -> None:
    hostile = result.findings[0].model_copy(
        update={"summary": '=HYPERLINK("http://evil.example/","clic")', "status": Status.PASS}
    )
    write_reports(make_result(findings=[hostile]), tmp_path, [Format.CSV, Format.XLSX])
    rows = _csv_rows(tmp_path / "constats.csv")
    assert rows[1][7].startswith("'=HYPERLINK")
    sheet = load_workbook(tmp_path / "report.xlsx")["Constats"]
    assert sheet["H2"].value.startswith("'=HYPERLINK")
    assert sheet["H2"].data_type == "s"
