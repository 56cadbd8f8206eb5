"""Register files read from real XLSX, ODS, CSV and YAML files, good and broken.

The spreadsheets are written by the tool itself (`register init`'s writer), then edited with
openpyxl or odfpy the way a user's spreadsheet software would leave them.
"""

import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from odf.opendocument import load as load_ods
from odf.table import Table, TableCell, TableRow
from odf.text import P

from rgpd_audit.register import RegisterError, load_register, validate
from rgpd_audit.register import rules as r
from rgpd_audit.register.content import layout
from rgpd_audit.register.tables import MAX_FILE_BYTES
from rgpd_audit.register.writer import starter_rows, write_register

FILLED = {
    "controller": "Dr Marie Dupont, 1 rue de la Paix, 75001 Paris, cabinet@dupont.fr",
    "legal_basis": "6.1.c — obligation légale",
    "health_data": "oui",
    "art9_exception": "Art. 9.2.h (soins), secret professionnel (art. 9.3)",
    "persons": "Patients",
    "purpose": "Gestion du cabinet",
    "data_categories": "Identité, coordonnées, données de santé",
    "recipients": "Praticiens du cabinet",
    "transfers": "Aucun",
    "transfer_safeguards": "Sans objet",
    "retention": "2 ans",
    "security": "Comptes individuels, postes chiffrés, sauvegardes testées",
    "processors": "Éditeur du logiciel métier (contrat : oui)\nHébergeur HDS (contrat : oui)",
    "dpia": "non requise",
}
# Column letters of the layout written by `register init`.
COL = {c.key: i for i, c in enumerate(layout().columns, start=1)}


def complete_rows() -> list[dict[str, str]]:
    """The starter register with every « à compléter » filled in."""
    rows = starter_rows("medecin")
    for row in rows:
        for key, value in row.items():
            if layout().is_blank(value):
                row[key] = FILLED[key]
    return rows


def written(tmp_path: Path, suffix: str, rows: list[dict[str, str]] | None = None) -> Path:
    path = tmp_path / f"registre{suffix}"
    write_register(rows or complete_rows(), path)
    return path


def edit_xlsx(path: Path, cells: dict[tuple[int, str], object]) -> None:
    """Set cells (row, column key) of the Registre sheet, as a spreadsheet program would."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Registre"]
    for (row, key), value in cells.items():
        sheet.cell(row=row, column=COL[key]).value = value
    workbook.save(path)


def rules_at(path: Path) -> set[tuple[str, int, str]]:
    found = validate(load_register(path))
    return {
        (i.rule, found.register.activities[i.activity].location.row, i.column) for i in found.issues
    }


@pytest.mark.parametrize("suffix", [".xlsx", ".ods", ".csv", ".yaml"])
def test_a_complete_register_round_trips_in_every_format(tmp_path: Path, suffix: str) -> None:
    path = written(tmp_path, suffix)
    register = load_register(path)
    found = validate(register)
    assert [a.code for a in register.activities] == [row["code"] for row in complete_rows()]
    assert found.complete, [i.message for i in found.issues]
    first = register.activities[0]
    assert first.health_data is True and first.dpia == "not_required"
    assert [p.name for p in first.processors or []] == [
        "Éditeur du logiciel métier",
        "Hébergeur HDS",
    ]
    assert all(p.contract for p in first.processors or [])
    # Patient records, care sheets and logs carry the référentiel's periods: all three compared.
    assert {v.rule.code for v in found.retention} == {"dossier-patient", "fse", "journalisation"}
    assert all(v.conforms for v in found.retention)


@pytest.mark.parametrize("suffix", [".xlsx", ".ods", ".csv", ".yaml"])
def test_the_starter_register_lists_what_is_left_to_complete(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"registre{suffix}"
    write_register(starter_rows("medecin"), path)
    found = validate(load_register(path))
    assert not found.complete
    rules = {i.rule for i in found.issues}
    assert {r.ART30, r.LEGAL_BASIS, r.PROCESSORS, r.DPIA} <= rules
    # The pre-filled article 9 exception of the patient record is accepted.
    assert not [i for i in found.issues if i.rule == r.ART9 and i.activity == 0]


def test_xlsx_edits_are_reported_with_sheet_row_and_column(tmp_path: Path) -> None:
    path = written(tmp_path, ".xlsx")
    edit_xlsx(
        path,
        {
            (2, "retention"): "10 ans",
            (3, "legal_basis"): None,
            (4, "art9_exception"): "à compléter",
            (5, "transfers"): "États-Unis (plateforme de visio)",
            (5, "transfer_safeguards"): None,
            (6, "processors"): "Messagerie X (contrat : non); Prestataire Y",
            (7, "dpia"): "à faire",
            (8, "security"): "  ",
        },
    )
    found = rules_at(path)
    assert found == {
        (r.RETENTION, 2, "retention"),
        (r.LEGAL_BASIS, 3, "legal_basis"),
        (r.ART9, 4, "art9_exception"),
        (r.TRANSFERS, 5, "transfer_safeguards"),
        # Row 5 is teleconsultation, on health data: HDS hosting is questioned too.
        (r.TRANSFERS, 5, "transfers"),
        (r.PROCESSORS, 6, "processors"),
        (r.DPIA, 7, "dpia"),
        (r.ART30, 8, "security"),
    }
    validation = validate(load_register(path))
    retention = next(i for i in validation.issues if i.rule == r.RETENTION)
    assert "10 ans" in retention.message and "20 ans" in retention.message
    assert validation.where(retention) == (
        "feuille « Registre », ligne 2, colonne « Durées de conservation » (M)"
    )
    processors = [i.message for i in validation.issues if i.rule == r.PROCESSORS]
    assert processors == [
        "Messagerie X : pas de contrat de sous-traitance (art. 28)",
        "Prestataire Y : existence du contrat non indiquée (ajouter « (contrat : oui) » ou "
        "« (contrat : non) »)",
    ]


def test_a_number_where_a_duration_is_expected_is_not_a_duration(tmp_path: Path) -> None:
    path = written(tmp_path, ".xlsx")
    edit_xlsx(path, {(2, "retention"): 20})
    issue = next(i for i in validate(load_register(path)).issues if i.rule == r.RETENTION)
    assert "non chiffrée" in issue.message and "« 20 »" in issue.message


def test_a_date_in_a_yes_no_column_names_the_cell(tmp_path: Path) -> None:
    from datetime import datetime

    path = written(tmp_path, ".xlsx")
    edit_xlsx(path, {(4, "health_data"): datetime(2024, 5, 1)})
    with pytest.raises(RegisterError) as caught:
        load_register(path)
    message = str(caught.value)
    assert "feuille « Registre », ligne 4" in message and "(F)" in message
    assert "2024-05-01" in message and "oui/non" in message


def test_an_unknown_dpia_state_names_the_accepted_ones(tmp_path: Path) -> None:
    path = written(tmp_path, ".xlsx")
    edit_xlsx(path, {(3, "dpia"): "peut-être"})
    with pytest.raises(RegisterError, match=r"ligne 3, colonne « AIPD » \(P\).*réalisée"):
        load_register(path)


def test_empty_rows_and_a_title_above_the_table_are_tolerated(tmp_path: Path) -> None:
    path = written(tmp_path, ".xlsx")
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Registre"]
    sheet.insert_rows(4, amount=3)  # three blank rows between two activities
    sheet.insert_rows(1, amount=2)
    sheet["A1"] = "Registre des activités de traitement — Cabinet Dupont"
    sheet.merge_cells("A1:F1")  # a merged title above the header is not a register cell
    workbook.save(path)
    register = load_register(path)
    assert len(register.activities) == len(complete_rows())
    assert [a.location.row for a in register.activities][:3] == [4, 5, 9]


def test_headers_are_matched_without_case_accents_or_synonyms(tmp_path: Path) -> None:
    path = written(tmp_path, ".xlsx")
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Registre"]
    sheet.cell(row=1, column=COL["purpose"], value="FINALITE")
    sheet.cell(row=1, column=COL["legal_basis"], value="base juridique")
    sheet.cell(row=1, column=COL["health_data"], value="Donnees de sante")
    sheet.cell(row=1, column=17, value="Commentaires")
    workbook.save(path)
    register = load_register(path)
    assert validate(register).complete
    assert register.columns["legal_basis"] == "colonne « base juridique » (E)"
    assert register.ignored_columns == ["Commentaires"]


def test_cells_merged_down_one_column_apply_to_each_row(tmp_path: Path) -> None:
    path = written(tmp_path, ".xlsx")
    edit_xlsx(path, {(3, "security"): None, (4, "security"): None})
    workbook = openpyxl.load_workbook(path)
    workbook["Registre"].merge_cells("N2:N4")
    workbook.save(path)
    register = load_register(path)
    assert {a.security for a in register.activities[:3]} == {FILLED["security"]}
    assert validate(register).complete


def test_cells_merged_across_columns_are_refused(tmp_path: Path) -> None:
    path = written(tmp_path, ".xlsx")
    workbook = openpyxl.load_workbook(path)
    workbook["Registre"].merge_cells("I3:J3")
    workbook.save(path)
    with pytest.raises(RegisterError, match=r"feuille « Registre », cellules fusionnées I3:J3"):
        load_register(path)


def test_a_workbook_without_a_register_sheet_lists_its_sheets(tmp_path: Path) -> None:
    path = written(tmp_path, ".xlsx")
    workbook = openpyxl.load_workbook(path)
    workbook["Registre"].title = "Feuil1"
    workbook.save(path)
    with pytest.raises(RegisterError, match=r"aucune feuille « Registre ».*« Feuil1 », « Notice »"):
        load_register(path)


def test_a_sheet_without_the_name_column_is_refused(tmp_path: Path) -> None:
    path = written(tmp_path, ".xlsx")
    workbook = openpyxl.load_workbook(path)
    workbook["Registre"].cell(row=1, column=COL["name"], value="Colonne 1")
    workbook.save(path)
    with pytest.raises(RegisterError, match="ligne d'en-tête introuvable"):
        load_register(path)


def test_two_columns_for_one_field_are_refused(tmp_path: Path) -> None:
    path = written(tmp_path, ".xlsx")
    workbook = openpyxl.load_workbook(path)
    workbook["Registre"].cell(row=1, column=17, value="Finalité principale")
    workbook.save(path)
    with pytest.raises(RegisterError, match=r"colonnes D et Q .*« Finalités »"):
        load_register(path)


def test_a_renamed_ods_is_read_by_its_content(tmp_path: Path) -> None:
    path = written(tmp_path, ".ods")
    renamed = path.rename(tmp_path / "registre-exporte.xlsx")
    register = load_register(renamed)
    assert register.file_format == "ods" and validate(register).complete


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("registre.xlsx", b"Traitement;Finalites\n", "n'est pas un classeur XLSX ou ODS"),
        ("registre.ods", b"%PDF-1.7 not a spreadsheet", "n'est pas un classeur XLSX ou ODS"),
        ("registre.xls", b"\xd0\xcf\x11\xe0", "ancien format Excel (.xls)"),
        ("registre.txt", b"Traitement\n", "extension « .txt » inconnue"),
        ("registre.csv", b"Trait\x00ement", "ce n'est pas un fichier CSV"),
        ("registre.csv", b"", "ligne d'en-tête introuvable"),
        ("registre.yaml", b"- a\n- b\n", "clé « traitements: »"),
    ],
)
def test_files_that_are_not_registers(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RegisterError, match=re.escape(message)):
        load_register(path)


def test_a_zip_that_is_no_spreadsheet_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "registre.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8")
    with pytest.raises(RegisterError, match="n'est pas un classeur"):
        load_register(path)


def test_huge_files_are_refused_before_parsing(tmp_path: Path) -> None:
    big = tmp_path / "registre.csv"
    with big.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing is really written
    with pytest.raises(RegisterError, match="trop volumineux"):
        load_register(big)
    bomb = tmp_path / "registre.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/workbook.xml", b"\0" * (33 * 1024 * 1024))
    assert bomb.stat().st_size < MAX_FILE_BYTES
    with pytest.raises(RegisterError, match="trop volumineux une fois décompressé"):
        load_register(bomb)


def _ods_cell(path: Path, row: int, key: str) -> tuple[Any, TableCell]:
    document = load_ods(str(path))
    table = next(
        t
        for t in document.spreadsheet.getElementsByType(Table)
        if t.getAttribute("name") == "Registre"
    )
    return document, table.getElementsByType(TableRow)[row - 1].getElementsByType(TableCell)[
        COL[key] - 1
    ]


def test_ods_edits_are_reported_with_sheet_row_and_column(tmp_path: Path) -> None:
    path = written(tmp_path, ".ods")
    document, cell = _ods_cell(path, 3, "legal_basis")
    for child in list(cell.childNodes):
        cell.removeChild(child)
    cell.addElement(P(text="Parce que"))
    document.save(str(path))
    found = validate(load_register(path))
    (issue,) = found.issues
    assert issue.rule == r.LEGAL_BASIS and "« Parce que » non reconnue" in issue.message
    assert found.where(issue) == "feuille « Registre », ligne 3, colonne « Base légale » (E)"


def test_ods_cells_merged_across_columns_are_refused(tmp_path: Path) -> None:
    path = written(tmp_path, ".ods")
    document, cell = _ods_cell(path, 4, "persons")
    cell.setAttribute("numbercolumnsspanned", "2")
    document.save(str(path))
    with pytest.raises(RegisterError, match="cellules fusionnées H4:I4"):
        load_register(path)


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8-sig", ";"), ("utf-8", ","), ("cp1252", ";"), ("utf-8-sig", "\t")],
)
def test_csv_separators_and_encodings(tmp_path: Path, encoding: str, delimiter: str) -> None:
    import csv
    import io

    rows = complete_rows()
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow([c.header for c in layout().columns])
    writer.writerows([[row[c.key] for c in layout().columns] for row in rows])
    path = tmp_path / "registre.csv"
    # Windows-1252 has no « — »: a French Excel export would have replaced it too.
    path.write_bytes(buffer.getvalue().replace("—", "-").encode(encoding))
    register = load_register(path)
    assert validate(register).complete
    assert register.activities[0].name == "Dossiers médicaux des patients"
    # Rows are numbered by the line each record starts on (cells hold line breaks).
    assert register.activities[1].location.row == 4
    assert register.activities[1].location.sheet is None


def test_yaml_register_with_processors_as_a_list(tmp_path: Path) -> None:
    path = tmp_path / "registre.yaml"
    path.write_text(
        "traitements:\n"
        "  - traitement: Dossiers patients\n"
        "    finalites: Suivi des patients\n"
        "    donnees_sante: oui\n"
        "    exception_art9: 9.2.h\n"
        "    sous_traitants:\n"
        "      - nom: Éditeur\n"
        "        contrat: oui\n"
        "      - nom: Hébergeur\n"
        "        contrat: non\n"
        "    durees_conservation: 15 ans\n",
        encoding="utf-8",
    )
    found = validate(load_register(path))
    activity = found.register.activities[0]
    assert activity.location.row == 2
    assert [(p.name, p.contract) for p in activity.processors or []] == [
        ("Éditeur", True),
        ("Hébergeur", False),
    ]
    retention = next(i for i in found.issues if i.rule == r.RETENTION)
    assert found.where(retention) == "ligne 2, champ durees_conservation"


def test_yaml_unknown_field_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "registre.yml"
    path.write_text("traitements:\n  - traitement: A\n    finalite: B\n", encoding="utf-8")
    with pytest.raises(RegisterError, match=r"ligne 3, champ finalite : champ inconnu"):
        load_register(path)


BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
)


@pytest.mark.parametrize(
    ("suffix", "member", "root"),
    [
        (".xlsx", "xl/worksheets/sheet1.xml", b"<worksheet>&c;</worksheet>"),
        (".ods", "content.xml", b"<office:document-content>&c;</office:document-content>"),
    ],
)
def test_xml_entities_in_a_workbook_are_refused(
    tmp_path: Path, suffix: str, member: str, root: bytes
) -> None:
    original = written(tmp_path, suffix)
    path = tmp_path / f"piege{suffix}"
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = BOMB + root if item.filename == member else source.read(item)
            target.writestr(item, data)
    with pytest.raises(RegisterError, match="illisible"):
        load_register(path)


def test_a_register_with_headers_only_is_not_complete(tmp_path: Path) -> None:
    path = tmp_path / "registre.csv"
    path.write_text("Traitement;Finalités\n;\n", encoding="utf-8")
    found = validate(load_register(path))
    assert found.register.activities == [] and not found.complete


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(content=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".yaml", ".xlsx", ".ods"]))
def test_any_bytes_give_a_register_or_a_register_error(
    tmp_path: Path, content: bytes, suffix: str
) -> None:
    path = tmp_path / f"quelconque{suffix}"
    path.write_bytes(content)
    try:
        load_register(path)
    except RegisterError as exc:
        assert str(exc).startswith(str(path))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cells=st.lists(st.lists(st.text(max_size=30), min_size=1, max_size=6), max_size=6))
def test_any_csv_grid_under_the_header_gives_a_register_or_a_register_error(
    tmp_path: Path, cells: list[list[str]]
) -> None:
    import csv
    import io

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["Traitement", "Données de santé", "AIPD", "Sous-traitants", "Durées"])
    writer.writerows(cells)
    path = tmp_path / "grille.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    try:
        validate(load_register(path))
    except RegisterError as exc:
        assert "grille.csv" in str(exc)


def test_too_many_rows_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "registre.csv"
    path.write_text("Traitement\n" + "".join(f"T{i}\n" for i in range(2100)), encoding="utf-8")
    with pytest.raises(RegisterError, match="plus de 2000 lignes remplies"):
        load_register(path)


def test_ods_rich_text_and_cells_merged_down_a_column(tmp_path: Path) -> None:
    from odf.text import LineBreak, S, Span

    path = written(tmp_path, ".ods")
    document, cell = _ods_cell(path, 2, "recipients")
    for child in list(cell.childNodes):
        cell.removeChild(child)
    paragraph = P(text="Praticiens")
    paragraph.addElement(S(c=2))
    paragraph.addElement(Span(text="du cabinet"))
    paragraph.addElement(LineBreak())
    paragraph.addText("et remplaçants")
    cell.addElement(paragraph)
    document.save(str(path))
    document, top = _ods_cell(path, 3, "security")
    top.setAttribute("numberrowsspanned", "2")
    table = next(
        t
        for t in document.spreadsheet.getElementsByType(Table)
        if t.getAttribute("name") == "Registre"
    )
    below = table.getElementsByType(TableRow)[3].getElementsByType(TableCell)[COL["security"] - 1]
    for child in list(below.childNodes):
        below.removeChild(child)
    document.save(str(path))
    register = load_register(path)
    assert register.activities[0].recipients == "Praticiens  du cabinet\net remplaçants"
    assert register.activities[2].security == register.activities[1].security
    assert validate(register).complete


def test_the_demo_register_shows_only_the_gaps_it_means_to_show() -> None:
    """questionnaires/exemple-registre.yaml: missing legal bases, consent as the basis of the
    patient record, one processor without a contract; nothing accidental besides."""
    from importlib.resources import as_file, files

    with as_file(files("rgpd_audit.questionnaires") / "exemple-registre.yaml") as path:
        found = validate(load_register(path))
    names = [a.name for a in found.register.activities]
    issues = {(i.rule, names[i.activity], i.message.split(" :")[0]) for i in found.issues}
    missing_basis = {(r.LEGAL_BASIS, name, "base légale non indiquée") for name in names[1:]}
    assert issues == missing_basis | {
        (r.LEGAL_BASIS, names[0], "base légale « Consentement du patient »"),
        (r.PROCESSORS, "Gestion des rendez-vous", "AgendaExemple"),
    }
    # The retention rules judge the patient record, the FSE duplicates named in the billing
    # row, and the access logs; the billing records' own 6 years get no verdict.
    assert [(names[v.activity], v.rule.code, v.conforms) for v in found.retention] == [
        ("Dossiers médicaux des patients", "dossier-patient", True),
        ("Facturation et télétransmission des feuilles de soins", "fse", True),
        ("Traces d'accès au système d'information (journalisation)", "journalisation", True),
    ]
