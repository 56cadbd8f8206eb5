"""Reading a register file (XLSX, ODS, CSV or YAML) into a `Register`.

Spreadsheets are matched to the column layout of register_columns.yaml by their headers,
wherever the header row is among the first lines (models often start with a title). Every
error names the file, the sheet, the row and the column to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rgpd_audit.register.content import Column, Layout, layout
from rgpd_audit.register.errors import RegisterError
from rgpd_audit.register.model import Activity, Location, Processor, Register
from rgpd_audit.register.tables import (
    Cell,
    Sheet,
    check_size,
    column_letter,
    read_csv,
    read_workbook,
)
from rgpd_audit.register.text import fold
from rgpd_audit.register.yaml_register import read_yaml_records

SUFFIXES = {
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".ods": "ods",
    ".csv": "csv",
    ".yaml": "yaml",
    ".yml": "yaml",
}
HEADER_SEARCH_ROWS = 20
MAX_ACTIVITIES = 500
_CONTRACT = re.compile(r"\(\s*contrat\b[^:=)]*[:=]?\s*([^)]*)\)", re.IGNORECASE)


@dataclass(frozen=True)
class _Record:
    location: Location
    cells: dict[str, Cell]


def load_register(path: Path) -> Register:
    """Read the register at `path`; `RegisterError` when it cannot be read as one."""
    source = str(path)
    check_size(path, source)
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise RegisterError(
            f"{source} : ancien format Excel (.xls) non pris en charge ; enregistrez le classeur "
            "au format .xlsx ou .ods"
        )
    kind = SUFFIXES.get(suffix)
    if kind is None:
        raise RegisterError(
            f"{source} : extension « {path.suffix or '(aucune)'} » inconnue ; registre attendu "
            "au format .xlsx, .ods, .csv ou .yaml"
        )
    grid = layout()
    if kind == "yaml":
        found = read_yaml_records(path, source, grid)
        records = [_Record(Location(row=line), cells) for line, cells in found.records]
        columns = found.columns
        ignored: list[str] = []
    elif kind == "csv":
        records, columns, ignored = _sheet_records(read_csv(path, source), source, grid)
    else:
        # The content tells XLSX from ODS: a workbook saved under the other extension is read.
        kind, sheets = read_workbook(path, source)
        records, columns, ignored = _sheet_records(_pick_sheet(sheets, source), source, grid)
    if len(records) > MAX_ACTIVITIES:
        raise RegisterError(
            f"{source} : plus de {MAX_ACTIVITIES} traitements ; vérifiez qu'il s'agit du bon "
            "fichier"
        )
    activities = [_activity(r, columns, source, grid) for r in records]
    return Register(
        source=source,
        file_format=kind,
        activities=activities,
        columns=columns,
        ignored_columns=ignored,
    )


def _pick_sheet(sheets: list[Sheet], source: str) -> Sheet:
    grid = layout()
    for sheet in sheets:
        if sheet.name is not None and grid.is_register_sheet(sheet.name):
            return sheet
    if len(sheets) == 1:
        return sheets[0]
    names = ", ".join(f"« {s.name} »" for s in sheets) or "aucune"
    raise RegisterError(
        f"{source} : aucune feuille « {grid.sheet} » dans le classeur (feuilles présentes : "
        f"{names}) ; renommez la feuille du registre « {grid.sheet} »"
    )


def _sheet_records(
    sheet: Sheet, source: str, grid: Layout
) -> tuple[list[_Record], dict[str, str], list[str]]:
    where = f"{source}, feuille « {sheet.name} »" if sheet.name is not None else source
    header_row, mapping = _header(sheet, where, grid)
    columns = {
        column.key: _column_label(sheet, header_row, index) for index, column in mapping.items()
    }
    ignored = [
        text
        for index, text in enumerate(sheet.rows[header_row], start=1)
        if text and index not in mapping
    ]
    _apply_merges(sheet, header_row, where)
    records = []
    for number in sorted(n for n in sheet.rows if n > header_row):
        row = sheet.rows[number]
        cells = {
            column.key: row[index - 1] if index <= len(row) else None
            for index, column in mapping.items()
        }
        if any(cells.values()):
            records.append(_Record(Location(sheet=sheet.name, row=number), cells))
    return records, columns, ignored


def _column_label(sheet: Sheet, header_row: int, index: int) -> str:
    header = sheet.rows[header_row][index - 1]
    if sheet.name is None:
        return f"colonne « {header} »"
    return f"colonne « {header} » ({column_letter(index)})"


def _header(sheet: Sheet, where: str, grid: Layout) -> tuple[int, dict[int, Column]]:
    for number in sorted(sheet.rows)[:HEADER_SEARCH_ROWS]:
        mapping: dict[int, Column] = {}
        for index, text in enumerate(sheet.rows[number], start=1):
            column = grid.match_header(text) if text else None
            if column is None:
                continue
            twin = next((i for i, c in mapping.items() if c.key == column.key), None)
            if twin is not None:
                raise RegisterError(
                    f"{where}, ligne {number} : les colonnes {column_letter(twin)} et "
                    f"{column_letter(index)} désignent toutes deux la rubrique "
                    f"« {column.header} » ; gardez-en une seule"
                )
            mapping[index] = column
        if any(c.key == "name" for c in mapping.values()):
            return number, mapping
    raise RegisterError(
        f"{where} : ligne d'en-tête introuvable (aucune colonne « {grid.column('name').header} » "
        f"dans les {HEADER_SEARCH_ROWS} premières lignes remplies) ; les en-têtes attendus sont "
        "ceux qu'écrit « rgpd-audit register init »"
    )


def _apply_merges(sheet: Sheet, header_row: int, where: str) -> None:
    """A cell merged down several rows applies to each; other merges are refused."""
    for first_row, first_col, last_row, last_col in sheet.merges:
        if last_row < header_row:
            continue  # a title above the table
        if first_col != last_col or first_row <= header_row:
            cells = f"{column_letter(first_col)}{first_row}:{column_letter(last_col)}{last_row}"
            raise RegisterError(
                f"{where}, cellules fusionnées {cells} : défusionnez-les ; seules les cellules "
                "fusionnées dans une même colonne, sur plusieurs traitements, sont acceptées"
            )
        top = sheet.rows.get(first_row)
        value = top[first_col - 1] if top and first_col <= len(top) else None
        for number in range(first_row + 1, last_row + 1):
            row = sheet.rows.get(number)
            if row is None:
                continue
            row.extend([None] * (first_col - len(row)))
            row[first_col - 1] = value


def _activity(record: _Record, columns: dict[str, str], source: str, grid: Layout) -> Activity:
    values: dict[str, object] = {"location": record.location}
    for key, value in record.cells.items():
        column = grid.column(key)
        where = f"{source}, {record.location.describe(columns.get(key))}"
        if column.kind == "text":
            values[key] = value
        elif column.kind == "yes_no":
            values[key] = _yes_no(value, where, grid)
        elif column.kind == "dpia":
            values["dpia_text"] = value
            values["dpia"] = _dpia(value, where, grid)
        else:
            values["processors_text"] = value
            values["processors"] = _processors(value, grid)
    return Activity.model_validate(values)


def _yes_no(value: Cell, where: str, grid: Layout) -> bool | None:
    if grid.is_blank(value):
        return None
    assert value is not None
    folded = fold(value)
    if folded in {fold(v) for v in grid.yes_values}:
        return True
    if folded in {fold(v) for v in grid.no_values}:
        return False
    raise RegisterError(f"{where} : « {_short(value)} » n'est pas une réponse oui/non")


def _dpia(value: Cell, where: str, grid: Layout) -> str | None:
    if grid.is_blank(value):
        return None
    assert value is not None
    folded = fold(value)
    for status, words in grid.dpia_values.items():
        if folded in {fold(w) for w in words}:
            return status
    expected = ", ".join(words[0] for words in grid.dpia_values.values())
    raise RegisterError(
        f"{where} : « {_short(value)} » n'est pas un état d'AIPD reconnu (attendu : {expected})"
    )


def _processors(value: Cell, grid: Layout) -> list[Processor] | None:
    if grid.is_blank(value):
        return None
    assert value is not None
    if grid.is_none(value):
        return []
    processors = []
    for entry in re.split(r"[;\n]", value):
        if not entry.strip():
            continue
        match = _CONTRACT.search(entry)
        name = _CONTRACT.sub("", entry).strip(" \t-–—:,")
        if grid.is_blank(name):
            return None
        contract = None
        if match:
            said = fold(match.group(1))
            if said in {fold(v) for v in grid.yes_values}:
                contract = True
            elif said in {fold(v) for v in grid.no_values}:
                contract = False
        processors.append(Processor(name=name, contract=contract))
    return processors


def _short(value: str) -> str:
    return value if len(value) <= 60 else value[:57] + "…"
