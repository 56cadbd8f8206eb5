"""`report.xlsx` and the CSV files: the action plan and the findings, for a spreadsheet.

XLSX: one sheet per table, header frozen, filters on, column widths set, long text wrapped.
CSV: one file per table for French Excel: `;` separator (the comma is the decimal mark),
UTF-8 with a byte-order mark (without it Excel reads accents as Windows-1252), CRLF ends.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from rgpd_audit.models import AuditResult
from rgpd_audit.render.export_rows import Cell, Table, export_tables

# Characters a spreadsheet reads as the start of a formula: outside text (a DNS record, a
# banner) must stay text, never run as `=HYPERLINK(…)` (CSV/formula injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, int):
        return str(value)
    return _safe_text(value)


def csv_bytes(table: Table) -> bytes:
    """`table` as CSV for French Excel (see the module's docstring)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.header)
    for row in table.rows:
        writer.writerow([_csv_cell(v) for v in row])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def csv_files(result: AuditResult) -> dict[str, bytes]:
    """File name → content of each CSV export."""
    return {f"{t.file_stem}.csv": csv_bytes(t) for t in export_tables(result)}


def xlsx_bytes(result: AuditResult) -> bytes:
    """The workbook: one sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])  # the empty sheet a new workbook starts with
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1B2A4A")
    wrap = Alignment(wrap_text=True, vertical="top")
    for table in export_tables(result):
        sheet = workbook.create_sheet(table.name[:31])
        sheet.append(list(table.header))
        for row in table.rows:
            sheet.append([_safe_text(v) if isinstance(v, str) else v for v in row])
        for cell in sheet[1]:
            cell.font = header_font
            cell.fill = header_fill
            cell.alignment = wrap
        for index, width in enumerate(table.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        for row_cells in sheet.iter_rows(min_row=2):
            for cell in row_cells:
                cell.alignment = wrap
                if isinstance(cell.value, date):
                    cell.number_format = "DD/MM/YYYY"
        sheet.freeze_panes = "A2"
        last = get_column_letter(len(table.header))
        sheet.auto_filter.ref = f"A1:{last}{max(sheet.max_row, 1)}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
