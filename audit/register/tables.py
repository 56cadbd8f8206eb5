"""Spreadsheets (XLSX, ODS) and CSV files read into plain grids of text.

Everything a register file holds comes from the user: sizes are capped before parsing
(a zip bomb is refused on its declared sizes), and any failure of the underlying parser
becomes a `RegisterError` naming the file.
"""

from __future__ import annotations

import csv
import io
import stat
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Literal
from xml.etree.ElementTree import Element

from rgpd_audit.paths import os_error_text
from rgpd_audit.register.errors import RegisterError
from rgpd_audit.workbook_guard import WorkbookRefused, check_workbook

MAX_FILE_BYTES = 10 * 1024 * 1024
"""Largest register file accepted: a practice's register weighs a few dozen kilobytes."""
MAX_ROWS = 2000
"""Most non-empty rows read from one sheet."""
MAX_COLUMNS = 64
"""Columns read from one sheet; the register has sixteen."""

Cell = str | None
WorkbookKind = Literal["xlsx", "ods"]


@dataclass
class Sheet:
    """One sheet: non-empty rows by 1-based number, and the merged ranges in it."""

    name: str | None
    rows: dict[int, list[Cell]] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    """(first row, first column, last row, last column), all 1-based."""

    def add_row(self, number: int, cells: list[Cell], source: str) -> None:
        """Keep a row if it has any content; refuse sheets with absurdly many rows."""
        if not any(cells):
            return
        if len(self.rows) >= MAX_ROWS:
            where = f"feuille « {self.name} »" if self.name is not None else "fichier"
            raise RegisterError(
                f"{source} : {where} de plus de {MAX_ROWS} lignes remplies ; un registre en "
                "compte quelques dizaines, vérifiez qu'il s'agit du bon fichier"
            )
        self.rows[number] = cells


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def cell_text(value: object) -> Cell:
    """A cell's value as the text the user sees; None when empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def check_size(path: Path, source: str) -> None:
    """The file must be a regular file of at most `MAX_FILE_BYTES` bytes."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise RegisterError(f"{source} : fichier introuvable") from None
    except OSError as exc:
        raise RegisterError(f"{source} : fichier illisible ({os_error_text(exc)})") from None
    if stat.S_ISDIR(info.st_mode):
        raise RegisterError(f"{source} : c'est un dossier, pas un registre")
    if not stat.S_ISREG(info.st_mode):
        raise RegisterError(f"{source} : ce n'est pas un fichier ordinaire")
    if info.st_size > MAX_FILE_BYTES:
        raise RegisterError(
            f"{source} : fichier trop volumineux (plus de {MAX_FILE_BYTES // (1024 * 1024)} Mio) "
            "pour un registre ; vérifiez qu'il s'agit du bon fichier"
        )


def workbook_kind(path: Path, source: str) -> WorkbookKind:
    """XLSX or ODS, told by the content (a renamed file is still read), sizes checked."""
    check_size(path, source)
    try:
        with zipfile.ZipFile(path) as archive:
            try:
                check_workbook(archive)
            except WorkbookRefused as exc:
                raise RegisterError(f"{source} : {exc}") from None
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100]
                if mimetype == b"application/vnd.oasis.opendocument.spreadsheet":
                    return "ods"
            if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
                return "xlsx"
    except (zipfile.BadZipFile, OSError):
        pass
    raise RegisterError(
        f"{source} : ce n'est pas un classeur XLSX ou ODS (contenu non reconnu) ; enregistrez "
        "le registre depuis votre tableur au format .xlsx, .ods ou .csv"
    )


def read_workbook(path: Path, source: str) -> tuple[WorkbookKind, list[Sheet]]:
    """The kind of an XLSX or ODS workbook, told by its content, and every sheet in it."""
    kind = workbook_kind(path, source)
    return kind, _read_xlsx(path, source) if kind == "xlsx" else _read_ods(path, source)


def _read_xlsx(path: Path, source: str) -> list[Sheet]:
    import openpyxl

    try:
        with warnings.catch_warnings():
            # openpyxl warns about spreadsheet features it ignores (data validation, styles).
            warnings.simplefilter("ignore")
            # Not read-only: merged ranges are only known to the full reader.
            workbook = openpyxl.load_workbook(path, data_only=True)
    # openpyxl reports broken files with assorted exceptions (KeyError, ValueError, XML errors).
    except Exception as exc:
        raise RegisterError(
            f"{source} : classeur XLSX illisible ({type(exc).__name__}) ; ouvrez-le dans votre "
            "tableur et enregistrez-le de nouveau"
        ) from None
    sheets = []
    for worksheet in workbook.worksheets:
        sheet = Sheet(worksheet.title)
        width = min(worksheet.max_column, MAX_COLUMNS)
        for number, values in enumerate(
            worksheet.iter_rows(max_col=width, values_only=True), start=1
        ):
            sheet.add_row(number, [cell_text(v) for v in values], source)
        sheet.merges = [
            (r.min_row, r.min_col, r.max_row, r.max_col) for r in worksheet.merged_cells.ranges
        ]
        sheets.append(sheet)
    return sheets


def _read_ods(path: Path, source: str) -> list[Sheet]:
    # Read with defusedxml rather than odfpy, whose loader prints the whole document to
    # standard output and carries on with an empty one when the XML is broken.
    from defusedxml import ElementTree

    try:
        with zipfile.ZipFile(path) as archive:
            root = ElementTree.fromstring(archive.read("content.xml"))
        tables = root.iter(f"{{{_TABLE}}}table")
        return [_ods_sheet(table, source) for table in tables]
    except RegisterError:
        raise
    # A broken archive or XML (or an XML entity trick) fails with assorted exceptions.
    except Exception as exc:
        raise RegisterError(
            f"{source} : classeur ODS illisible ({type(exc).__name__}) ; ouvrez-le dans votre "
            "tableur et enregistrez-le de nouveau"
        ) from None


_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def _attr(node: Element, namespace: str, name: str, default: str = "") -> str:
    return node.get(f"{{{namespace}}}{name}", default)


def _ods_sheet(table: Element, source: str) -> Sheet:
    sheet = Sheet(_attr(table, _TABLE, "name"))
    number = 0
    for row in table.iter(f"{{{_TABLE}}}table-row"):
        repeat = int(_attr(row, _TABLE, "number-rows-repeated", "1"))
        cells: list[Cell] = []
        spans: list[tuple[int, int, int]] = []
        for node in row:
            if node.tag not in (f"{{{_TABLE}}}table-cell", f"{{{_TABLE}}}covered-table-cell"):
                continue
            count = int(_attr(node, _TABLE, "number-columns-repeated", "1"))
            value = _ods_value(node) if node.tag.endswith("}table-cell") else None
            cells.extend([value] * min(count, MAX_COLUMNS - len(cells)))
            rows_spanned = int(_attr(node, _TABLE, "number-rows-spanned", "1"))
            cols_spanned = int(_attr(node, _TABLE, "number-columns-spanned", "1"))
            if value is not None and (rows_spanned > 1 or cols_spanned > 1):
                spans.append((len(cells), rows_spanned, cols_spanned))
            if len(cells) >= MAX_COLUMNS:
                break
        if any(cells):
            for offset in range(repeat):
                sheet.add_row(number + 1 + offset, list(cells), source)
            for column, rows_spanned, cols_spanned in spans:
                sheet.merges.append(
                    (number + 1, column, number + rows_spanned, column + cols_spanned - 1)
                )
        number += repeat
    return sheet


def _ods_value(node: Element) -> Cell:
    kind = _attr(node, _OFFICE, "value-type")
    if kind in ("float", "percentage", "currency"):
        return cell_text(float(_attr(node, _OFFICE, "value", "0")))
    if kind == "boolean":
        return cell_text(_attr(node, _OFFICE, "boolean-value") == "true")
    if kind == "date":
        return cell_text(_attr(node, _OFFICE, "date-value")[:10])
    paragraphs = node.findall(f"{{{_TEXT}}}p")
    return cell_text("\n".join(_ods_text(p) for p in paragraphs))


def _ods_text(node: Element) -> str:
    """The text of a paragraph: spans followed, ODF's space, tab and line-break marks kept."""
    parts = [node.text or ""]
    for child in node:
        if child.tag == f"{{{_TEXT}}}s":
            parts.append(" " * int(_attr(child, _TEXT, "c", "1")))
        elif child.tag == f"{{{_TEXT}}}tab":
            parts.append("\t")
        elif child.tag == f"{{{_TEXT}}}line-break":
            parts.append("\n")
        else:
            parts.append(_ods_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def csv_error_text(exc: csv.Error) -> str:
    """The csv module's English message, in French."""
    text = str(exc)
    if text.startswith("field larger than field limit"):
        return f"cellule de plus de {csv.field_size_limit()} caractères"
    if "NUL" in text:
        return "caractère nul dans le fichier"
    if "new-line character seen in unquoted field" in text:
        return "retour à la ligne dans une cellule sans guillemets"
    return "structure de fichier CSV non reconnue"


def read_csv(path: Path, source: str) -> Sheet:
    """A CSV file (`;`, `,` or tab separated; UTF-8 with or without BOM, or Windows-1252)."""
    check_size(path, source)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RegisterError(f"{source} : fichier illisible ({os_error_text(exc)})") from None
    if b"\x00" in raw:
        raise RegisterError(
            f"{source} : ce n'est pas un fichier CSV (contenu binaire) ; pour un classeur, "
            "utilisez l'extension .xlsx ou .ods"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # French Excel saves CSV in Windows-1252 unless told otherwise.
        text = raw.decode("cp1252", errors="replace")
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(";,\t", key=first.count)
    sheet = Sheet(None)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        while True:
            start = reader.line_num + 1
            try:
                values = next(reader)
            except StopIteration:
                break
            sheet.add_row(start, [cell_text(v) for v in values[:MAX_COLUMNS]], source)
    except csv.Error as exc:
        raise RegisterError(
            f"{source}, ligne {reader.line_num} : CSV invalide ({csv_error_text(exc)})"
        ) from None
    return sheet
