"""Writing a register (the starter of `register init`) as XLSX, ODS, CSV or YAML.

The file holds the practice's processing details: it is written private (0600) and
atomically, like the reports, and never replaces an existing file unless asked to.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

from rgpd_audit.files import write_private
from rgpd_audit.register.content import Layout, layout, starter
from rgpd_audit.register.errors import RegisterError
from rgpd_audit.register.importer import SUFFIXES

TO_COMPLETE = "à compléter"
NOTICE_SHEET = "Notice"

Row = dict[str, str]


def starter_rows(profile: str) -> list[Row]:
    """The starter register of `profile`: pre-filled cells, « à compléter » elsewhere."""
    content = starter()
    codes = content.profiles.get(profile)
    if codes is None:
        raise RegisterError(
            f"--profile : profil « {profile} » inconnu (attendu : {', '.join(content.profiles)})"
        )
    by_code = {a.code: a for a in content.activities}
    rows = []
    for code in codes:
        values = by_code[code].values
        row = {c.key: values.get(c.key, TO_COMPLETE) for c in layout().columns}
        row["code"] = code
        rows.append(row)
    return rows


def write_register(rows: list[Row], path: Path, *, force: bool = False) -> None:
    """Write `rows` to `path`, in the format its extension names."""
    # .xlsm announces macros: a workbook written without them would not open under that name.
    kind = SUFFIXES.get(path.suffix.lower()) if path.suffix.lower() != ".xlsm" else None
    if kind is None:
        raise RegisterError(
            f"{path} : extension « {path.suffix or '(aucune)'} » inconnue ; choisissez .xlsx, "
            ".ods, .csv ou .yaml"
        )
    if path.exists() and not force:
        raise RegisterError(f"{path} existe déjà ; ajoutez --force pour le remplacer")
    if path.is_dir():
        raise RegisterError(f"{path} est un dossier")
    builders = {"xlsx": _xlsx, "ods": _ods, "csv": _csv, "yaml": _yaml}
    data = builders[kind](rows, layout())
    try:
        write_private(path, data)
    except OSError as exc:
        from rgpd_audit.paths import os_error_text

        raise RegisterError(f"{path} : écriture impossible ({os_error_text(exc)})") from None


def _table(rows: list[Row], grid: Layout) -> list[list[str]]:
    return [[c.header for c in grid.columns]] + [
        [row.get(c.key, "") for c in grid.columns] for row in rows
    ]


def _notice(grid: Layout) -> list[list[str]]:
    lines = [["Colonne", "Ce qu'il faut y écrire"]]
    lines += [[c.header, c.help.strip()] for c in grid.columns]
    lines.append(["Source", grid.snapshot.source])
    return lines


def _xlsx(rows: list[Row], grid: Layout) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.worksheets[0]  # the sheet a new workbook starts with
    sheet.title = grid.sheet
    for values in _table(rows, grid):
        sheet.append(values)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = wrap
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in range(1, sheet.max_column + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 32
    sheet.freeze_panes = "B2"
    notice = workbook.create_sheet(NOTICE_SHEET)
    for values in _notice(grid):
        notice.append(values)
    notice.column_dimensions["A"].width = 32
    notice.column_dimensions["B"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _ods(rows: list[Row], grid: Layout) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableColumnProperties
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    wide = Style(name="colonne-large", family="table-column")
    wide.addElement(TableColumnProperties(columnwidth="7cm"))
    document.automaticstyles.addElement(wide)
    for name, lines in ((grid.sheet, _table(rows, grid)), (NOTICE_SHEET, _notice(grid))):
        table = Table(name=name)
        table.addElement(TableColumn(numbercolumnsrepeated=len(lines[0]), stylename=wide))
        for values in lines:
            row = TableRow()
            for value in values:
                cell = TableCell(valuetype="string")
                for line in value.split("\n"):
                    cell.addElement(P(text=line))
                row.addElement(cell)
            table.addElement(row)
        document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def _csv(rows: list[Row], grid: Layout) -> bytes:
    buffer = io.StringIO(newline="")
    # Semicolons and a byte order mark: what French spreadsheet software opens without asking.
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows(_table(rows, grid))
    return buffer.getvalue().encode("utf-8-sig")


def _yaml(rows: list[Row], grid: Layout) -> bytes:
    header = [
        "# Registre des activités de traitement (RGPD, art. 30),",
        "# écrit par rgpd-audit register init.",
        "# Un bloc par traitement ; remplacez chaque « à compléter ». Champs :",
    ]
    header += [f"#   {c.yaml_key} : {' '.join(c.help.split())}" for c in grid.columns]
    document = {
        "traitements": [{c.yaml_key: row.get(c.key, "") for c in grid.columns} for row in rows]
    }
    body = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
    return ("\n".join(header) + "\n" + body).encode("utf-8")
