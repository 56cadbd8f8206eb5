"""The client list of a batch: a CSV (`;` or `,`) or XLSX file, one practice per line.

Columns (first line, in any order; French names, English ones accepted):
`domaine` (required), `nom`, `emails`, `profil`, `reponses`, `registre`, `inventaire`.
Paths are relative to the list's folder. The whole list is checked before any audit starts
(`validate`): every error names the line and the column. Rows are then read again, one at a
time (`rows`), so that a list of thousands of practices is never held in memory.
"""

from __future__ import annotations

import csv
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rgpd_audit.errors import InputError

#: Column name as written in the list → field of `ClientRow`.
COLUMNS = {
    "domaine": "domain",
    "domain": "domain",
    "nom": "name",
    "name": "name",
    "cabinet": "name",
    "emails": "emails",
    "email": "emails",
    "e-mails": "emails",
    "contacts": "emails",
    "profil": "profile",
    "profile": "profile",
    "reponses": "answers",
    "réponses": "answers",
    "answers": "answers",
    "registre": "register",
    "register": "register",
    "inventaire": "inventory",
    "inventory": "inventory",
}
#: How each field is named in messages.
FIELD_NAMES = {
    "domain": "domaine",
    "name": "nom",
    "emails": "emails",
    "profile": "profil",
    "answers": "reponses",
    "register": "registre",
    "inventory": "inventaire",
}
#: Most practices in one list, and largest list file: a regional survey stays well below.
MAX_CLIENTS = 100_000
MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_CELL = 1000
#: Errors listed before giving up: enough to fix a file in one go, not a wall of text.
MAX_ERRORS = 20

_EMAIL_SPLIT = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class ClientRow:
    """One practice of the list, its values checked and normalised."""

    line: int
    domain: str
    name: str | None = None
    emails: tuple[str, ...] = ()
    profile: str | None = None
    answers: Path | None = None
    register: Path | None = None
    inventory: Path | None = None


class ClientListError(InputError):
    """Every problem found in the client list, one French line each."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__(messages[0])
        self.messages = messages


def validate(path: Path) -> int:
    """Check the whole list; return its number of practices or raise `ClientListError`."""
    errors: list[str] = []
    seen: dict[str, int] = {}
    count = 0
    for line, cells in _raw_rows(path):
        try:
            row = _row(path, line, cells)
        except InputError as exc:
            errors.append(str(exc))
        else:
            if row.domain in seen:
                errors.append(
                    f"{path.name}, ligne {line}, colonne « domaine » : {row.domain} figure déjà "
                    f"à la ligne {seen[row.domain]}"
                )
            else:
                seen[row.domain] = line
        count += 1
        if len(errors) >= MAX_ERRORS:
            errors.append(f"{path.name} : trop d'erreurs, liste arrêtée à la ligne {line}")
            break
        if count > MAX_CLIENTS:
            errors.append(f"{path.name} : plus de {MAX_CLIENTS} cabinets dans une même liste")
            break
    if not count and not errors:
        errors.append(f"{path.name} : aucun cabinet dans la liste (une ligne par cabinet)")
    if errors:
        raise ClientListError(errors)
    return count


def rows(path: Path) -> Iterator[ClientRow]:
    """The practices of an already validated list, one at a time."""
    for line, cells in _raw_rows(path):
        yield _row(path, line, cells)


def _row(path: Path, line: int, cells: dict[str, str]) -> ClientRow:
    from rgpd_audit.config import normalize_domain, normalize_email

    def where(field: str) -> str:
        return f"{path.name}, ligne {line}, colonne « {FIELD_NAMES[field]} »"

    for field, value in cells.items():
        if len(value) > MAX_CELL:
            raise InputError(f"{where(field)} : plus de {MAX_CELL} caractères")
    raw_domain = cells.get("domain", "")
    if not raw_domain:
        raise InputError(f"{where('domain')} : domaine manquant")
    try:
        domain = normalize_domain(raw_domain)
        emails = tuple(normalize_email(e) for e in _EMAIL_SPLIT.split(cells.get("emails", "")) if e)
    except InputError as exc:
        field = "emails" if "e-mail" in str(exc) else "domain"
        raise InputError(f"{where(field)} : {exc}") from None
    profile = cells.get("profile") or None
    if profile:
        from rgpd_audit.questionnaire import load_questionnaire

        known = load_questionnaire().profiles
        if profile not in known:
            raise InputError(
                f"{where('profile')} : profil « {profile} » inconnu (attendu : {', '.join(known)})"
            )
    files: dict[str, Path | None] = {}
    for field in ("answers", "register", "inventory"):
        text = cells.get(field)
        files[field] = _practice_file(path, text, where(field)) if text else None
    return ClientRow(
        line=line,
        domain=domain,
        name=cells.get("name") or None,
        emails=emails,
        profile=profile,
        answers=files["answers"],
        register=files["register"],
        inventory=files["inventory"],
    )


def _practice_file(listing: Path, text: str, where: str) -> Path:
    from rgpd_audit.paths import input_file

    candidate = Path(text).expanduser()
    if not candidate.is_absolute():
        candidate = listing.parent / candidate
    try:
        return input_file(candidate, "")
    except InputError as exc:
        raise InputError(f"{where} : {exc}") from None


def _raw_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {field: text}) for every non-empty line after the header."""
    from rgpd_audit.paths import input_file

    input_file(path, "")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ClientListError(
            [f"{path.name} : fichier de plus de {MAX_FILE_BYTES // (1024 * 1024)} Mio"]
        )
    grid = _xlsx_rows(path) if zipfile.is_zipfile(path) else _csv_rows(path)
    header: list[str | None] | None = None
    for line, values in grid:
        if header is None:
            if not any(values):
                continue
            header = _header(path, line, values)
            continue
        cells = {
            field: value.strip()
            for field, value in zip(header, values, strict=False)
            if field and value and value.strip()
        }
        if cells:
            yield line, cells
    if header is None:
        raise ClientListError([f"{path.name} : fichier vide (une ligne d'en-tête attendue)"])


def _header(path: Path, line: int, values: list[str]) -> list[str | None]:
    from rgpd_audit.register.tables import column_letter

    fields: list[str | None] = []
    for index, value in enumerate(values, start=1):
        name = (value or "").strip().lower()
        if not name:
            fields.append(None)
            continue
        field = COLUMNS.get(name)
        if field is None:
            raise ClientListError(
                [
                    f"{path.name}, ligne {line}, colonne {column_letter(index)} : colonne "
                    f"« {value.strip()} » inconnue (colonnes possibles : domaine, nom, emails, "
                    "profil, reponses, registre, inventaire)"
                ]
            )
        if field in fields:
            raise ClientListError(
                [f"{path.name}, ligne {line} : colonne « {FIELD_NAMES[field]} » en double"]
            )
        fields.append(field)
    if "domain" not in fields:
        raise ClientListError(
            [f"{path.name}, ligne {line} : colonne « domaine » absente de l'en-tête"]
        )
    return fields


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            first = handle.readline()
            # A French spreadsheet writes `;`: the header line tells which one this list uses.
            delimiter = ";" if first.count(";") >= first.count(",") else ","
            handle.seek(0)
            reader = csv.reader(handle, delimiter=delimiter)
            for values in reader:
                yield reader.line_num, values
    except UnicodeDecodeError:
        raise ClientListError(
            [
                f"{path.name} : fichier qui n'est pas en UTF-8 ; enregistrez-le depuis votre "
                "tableur au format « CSV UTF-8 »"
            ]
        ) from None
    except csv.Error as exc:
        raise ClientListError([f"{path.name} : CSV illisible ({exc})"]) from None


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    # Every spreadsheet goes through the shared guard before openpyxl parses anything.
    from rgpd_audit.register.tables import cell_text
    from rgpd_audit.workbook_guard import WorkbookRefused, check_workbook

    try:
        with zipfile.ZipFile(path) as archive:
            check_workbook(archive)
    except WorkbookRefused as exc:
        raise ClientListError([f"{path.name} : {exc}"]) from None
    except zipfile.BadZipFile:
        raise ClientListError([f"{path.name} : classeur XLSX illisible"]) from None
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # Read-only: rows are streamed, a list of thousands of practices is never loaded.
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    # openpyxl reports broken files with assorted exceptions (KeyError, ValueError, XML errors).
    except Exception as exc:
        raise ClientListError(
            [f"{path.name} : classeur XLSX illisible ({type(exc).__name__})"]
        ) from None
    try:
        sheet = workbook.worksheets[0]
        for line, values in enumerate(sheet.iter_rows(max_col=16, values_only=True), start=1):
            yield line, [cell_text(v) or "" for v in values]
    finally:
        workbook.close()
