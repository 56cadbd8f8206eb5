"""Parse a tabular export of the ANS list of certified hosts (CSV or XLSX) into a `HostList`.

The exact layout of the ANS file is not documented: columns are recognised by their header,
whatever the case, accents or punctuation (« Raison sociale », « RAISON_SOCIALE »…), and the
header row may follow a few title rows. Only the host's name is required. Every problem is a
`TableError` naming the row and the column, so that a bad download is refused whole rather
than half-read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from pydantic import ValidationError

from rgpd_audit.hds.model import CertifiedHost, HostList, HostListSnapshot
from rgpd_audit.hds.names import words

# The header row may come after a title, a date line and blank rows.
HEADER_SEARCH_ROWS = 20
MAX_ROWS = 20_000

_COLUMNS: dict[str, tuple[str, ...]] = {
    "legal_name": (
        "raison sociale",
        "denomination sociale",
        "denomination",
        "nom",
        "nom de l hebergeur",
        "hebergeur",
        "nom de la societe",
        "societe",
        "entreprise",
        "organisme",
        "titulaire",
        "titulaire du certificat",
    ),
    "trade_names": ("nom commercial", "noms commerciaux", "marque", "marques", "enseigne"),
    "activities": (
        "activites",
        "activites certifiees",
        "activites couvertes",
        "activites hds",
        "perimetre",
        "perimetre de certification",
        "perimetre certifie",
    ),
    "valid_from": (
        "date de debut",
        "debut de validite",
        "date de debut de validite",
        "date de certification",
        "date d obtention",
        "date de delivrance",
        "valide du",
    ),
    "valid_until": (
        "date de fin",
        "fin de validite",
        "date de fin de validite",
        "date d expiration",
        "expiration",
        "valide jusqu au",
        "date d echeance",
        "echeance",
    ),
    "certification_body": (
        "organisme certificateur",
        "certificateur",
        "organisme de certification",
    ),
    "referential": ("referentiel", "version du referentiel", "version"),
    "scope": ("services", "services certifies", "offres", "offres certifiees"),
}
_LABELS = {
    "legal_name": "raison sociale",
    "trade_names": "nom commercial",
    "activities": "activités",
    "valid_from": "début de validité",
    "valid_until": "fin de validité",
    "certification_body": "organisme certificateur",
    "referential": "référentiel",
    "scope": "services",
}
_ACTIVITY_COLUMN = re.compile(r"^activite (?:n )?([1-6])$")
_RANGE = re.compile(r"([1-6])\s*(?:-|–|a|au)\s*([1-6])")
_NUMBER = re.compile(r"\d+")
_TRUE = {"x", "oui", "o", "yes", "y", "1", "true", "vrai", "✓", "✔"}
_FALSE = {"", "non", "n", "no", "0", "false", "faux", "-"}
_ALL_ACTIVITIES = {"toutes", "tous", "all", "activites 1 a 6"}
# Words that may surround activity numbers (« activités n° 1 et 2 »).
_FILLER = {"activite", "activites", "n", "no", "et", "a", "au", "de", "hds"}
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y")
_SPLIT_NAMES = re.compile(r"[;,/|\n]")


class TableError(Exception):
    """The file is not a usable list of certified hosts; the message is in French."""


@dataclass(frozen=True)
class _Layout:
    header_row: int
    columns: dict[str, int]
    activity_columns: dict[int, int]
    headers: dict[int, str]


def parse_host_table(data: bytes, source: str, retrieved: str) -> HostList:
    """The hosts listed in `data` (CSV or XLSX), as a complete official list.

    `source` (the address it was downloaded from) and `retrieved` (the date) become the
    list's header.
    """
    if not data.strip():
        raise TableError("fichier vide")
    if data.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(data)
    elif data.lstrip()[:1] == b"<":
        raise TableError(
            "c'est une page web (HTML), pas un tableau CSV ou XLSX : téléchargez l'export "
            "de la liste depuis le site de l'ANS et passez-le avec --file, ou donnez "
            "l'adresse du fichier avec --url"
        )
    else:
        rows = _csv_rows(data)
    hosts = _hosts(rows, source)
    if not hosts:
        raise TableError("aucun hébergeur dans le tableau (seulement la ligne d'en-têtes)")
    return HostList(
        snapshot=HostListSnapshot(source=source, retrieved=retrieved, complete=True), hosts=hosts
    )


def _csv_rows(data: bytes) -> list[tuple[int, list[Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's French CSV exports are in Windows-1252.
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise TableError("fichier binaire inconnu : un tableau CSV ou XLSX est attendu")
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
        dialect.delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), dialect)
    rows = []
    try:
        for record in reader:
            rows.append((reader.line_num, record))
            if len(rows) > MAX_ROWS:
                raise TableError(f"plus de {MAX_ROWS} lignes : ce n'est pas la liste attendue")
    except csv.Error as exc:
        from rgpd_audit.register.tables import csv_error_text

        raise TableError(
            f"ligne {reader.line_num} : CSV invalide ({csv_error_text(exc)})"
        ) from None
    return rows


def _xlsx_rows(data: bytes) -> list[tuple[int, list[Any]]]:
    # Imported here: openpyxl is slow to import and only `hds update` needs it.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    from rgpd_audit.workbook_guard import WorkbookRefused, check_workbook

    try:
        # The same guard as the register's: sizes, entries and XML elements, before openpyxl.
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_workbook(archive)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except WorkbookRefused as exc:
        raise TableError(str(exc)) from None
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise TableError(f"classeur XLSX illisible ({type(exc).__name__})") from None
    try:
        for sheet in book.worksheets:
            rows = []
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                rows.append((number, list(values)))
                if len(rows) > MAX_ROWS:
                    raise TableError(f"plus de {MAX_ROWS} lignes : ce n'est pas la liste attendue")
            if _find_layout(rows) is not None:
                return rows
        return rows if book.worksheets else []
    finally:
        book.close()


def _header_key(value: Any) -> str:
    return " ".join(words(str(value))) if value is not None else ""


def _find_layout(rows: Sequence[tuple[int, list[Any]]]) -> _Layout | None:
    for index, (_, values) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = [_header_key(v) for v in values]
        if not any(k in _COLUMNS["legal_name"] for k in keys):
            continue
        columns: dict[str, int] = {}
        activity_columns: dict[int, int] = {}
        for position, key in enumerate(keys):
            for field, names in _COLUMNS.items():
                if key in names and field not in columns:
                    columns[field] = position
            found = _ACTIVITY_COLUMN.match(key)
            if found:
                activity_columns[int(found.group(1))] = position
        headers = {p: str(v).strip() for p, v in enumerate(values) if v is not None}
        return _Layout(index, columns, activity_columns, headers)
    return None


#: Columns that only the list of certified hosts has; at least one must be present.
_CERTIFICATION_FIELDS = frozenset(
    {"activities", "valid_from", "valid_until", "certification_body", "referential"}
)


def _hosts(rows: list[tuple[int, list[Any]]], source: str) -> list[CertifiedHost]:
    layout = _find_layout(rows)
    if layout is None:
        seen = [v for _, values in rows[:1] for v in values if v not in (None, "")]
        expected = ", ".join(f"« {n} »" for n in _COLUMNS["legal_name"][:4])
        raise TableError(
            f"colonne « {_LABELS['legal_name']} » introuvable (en-têtes attendus : {expected}…"
            f" ; première ligne lue : {', '.join(str(v) for v in seen[:8]) or 'vide'})"
        )
    if not layout.activity_columns and not set(layout.columns) & _CERTIFICATION_FIELDS:
        # A table of names alone would be taken as the complete official list, and every
        # provider missing from it reported as not certified: refuse it.
        wanted = ", ".join(f"« {_LABELS[f]} »" for f in sorted(_CERTIFICATION_FIELDS))
        raise TableError(
            "aucune colonne sur la certification (une au moins parmi : "
            f"{wanted}) : ce tableau n'est pas la liste des hébergeurs certifiés"
        )
    return [
        host
        for number, values in rows[layout.header_row + 1 :]
        if (host := _host(number, values, layout, source)) is not None
    ]


def _cell(values: list[Any], position: int | None) -> Any:
    if position is None or position >= len(values):
        return None
    value = values[position]
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _host(number: int, values: list[Any], layout: _Layout, source: str) -> CertifiedHost | None:
    if all(v is None or str(v).strip() == "" for v in values):
        return None
    cols = layout.columns

    def where(field: str) -> str:
        position = cols.get(field)
        header = layout.headers.get(position, _LABELS[field]) if position is not None else ""
        return f"ligne {number}, colonne « {header or _LABELS[field]} »"

    name = _cell(values, cols.get("legal_name"))
    if name is None:
        raise TableError(f"{where('legal_name')} : nom de l'hébergeur vide")
    activities, described = _activities(values, layout, number, where)
    fields: dict[str, Any] = {
        "legal_name": _text(name),
        "trade_names": _names(_cell(values, cols.get("trade_names"))),
        "activities": activities,
        "source_kind": "official_list",
        "source": source,
        "verified": True,
    }
    for field in ("valid_from", "valid_until"):
        fields[field] = _date(_cell(values, cols.get(field)), partial(where, field))
    for field in ("certification_body", "referential", "scope"):
        value = _cell(values, cols.get(field))
        fields[field] = _text(value) if value is not None else None
    if described:
        fields["scope"] = "; ".join(filter(None, [fields["scope"], described]))
    try:
        return CertifiedHost.model_validate(fields)
    except ValidationError as exc:
        error = exc.errors()[0]
        message = (error.get("ctx") or {}).get("error", error["msg"])
        raise TableError(f"ligne {number} ({fields['legal_name']}) : {message}") from None


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    return [n for part in _SPLIT_NAMES.split(str(value)) if (n := " ".join(part.split()))]


def _activities(
    values: list[Any], layout: _Layout, number: int, where: Callable[[str], str]
) -> tuple[list[int], str | None]:
    """Certified activities, and the activities cell when it describes them in words."""
    found: set[int] = set()
    described = None
    raw = _cell(values, layout.columns.get("activities"))
    if raw is not None:
        numbers = _activity_numbers(_text(raw), where("activities"))
        if numbers is None:
            described = _text(raw)
        else:
            found |= numbers
    for activity, position in layout.activity_columns.items():
        flag = _cell(values, position)
        text = _plain(_text(flag)) if flag is not None else ""
        if text in _TRUE:
            found.add(activity)
        elif text not in _FALSE:
            header = layout.headers.get(position, f"activité {activity}")
            raise TableError(
                f"ligne {number}, colonne « {header} » : « {flag} » "
                "n'est ni oui ni non (attendu : x, oui, 1 ou vide)"
            )
    return sorted(found), described


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def _activity_numbers(text: str, where: str) -> set[int] | None:
    """Activity numbers of a cell such as « 1 à 4, 6 »; None for a description in words.

    A description is kept as the host's scope rather than refused: the layout of the ANS
    file is not documented, and its wording must not make a whole update fail.
    """
    plain = _plain(text)
    if plain in _ALL_ACTIVITIES:
        return set(range(1, 7))
    numbers: set[int] = set()
    for low, high in _RANGE.findall(plain):
        numbers |= set(range(int(low), int(high) + 1))
    rest = _RANGE.sub(" ", plain)
    numbers |= {int(token) for token in _NUMBER.findall(rest)}
    if set(words(_NUMBER.sub(" ", rest))) - _FILLER:
        return None
    if not numbers or any(not 1 <= n <= 6 for n in numbers):
        raise TableError(f"{where} : « {text} » n'est pas une liste d'activités 1 à 6")
    return numbers


def _date(value: Any, where: Callable[[], str]) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for pattern in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise TableError(f"{where()} : « {text} » n'est pas une date (attendu : JJ/MM/AAAA)")
