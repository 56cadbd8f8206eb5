"""Parsing the ANS list exported as CSV or XLSX: tolerant headers, strict cells."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from rgpd_audit.hds.model import HostList
from rgpd_audit.hds.tabular import TableError, parse_host_table


def parse(data: bytes) -> HostList:
    return parse_host_table(data, "https://exemple.test/liste.csv", "2026-11-25")


def test_csv_semicolons_in_windows_1252_after_a_title() -> None:
    data = (
        "Liste des hébergeurs certifiés\n"
        "\n"
        "RAISON_SOCIALE;Nom commercial;Activités certifiées;Date de début de validité;"
        "Date de fin de validité;Organisme certificateur;Référentiel\n"
        "Hébergeur Exemple SAS;Exemple Cloud, ExHost;1 à 4, 6;01/02/2025;31/01/2028;"
        "Organisme A;2.0\n"
        "\n"
        "Autre Société;;5;2024-05-16;2027-05-15;;\n"
    ).encode("cp1252")
    hosts = parse(data)
    assert hosts.snapshot.complete
    assert hosts.snapshot.source == "https://exemple.test/liste.csv"
    first, second = hosts.hosts
    assert first.legal_name == "Hébergeur Exemple SAS"
    assert first.trade_names == ["Exemple Cloud", "ExHost"]
    assert first.activities == [1, 2, 3, 4, 6]
    assert (first.valid_from, first.valid_until) == (dt.date(2025, 2, 1), dt.date(2028, 1, 31))
    assert (first.certification_body, first.referential) == ("Organisme A", "2.0")
    assert first.verified and first.source_kind == "official_list"
    assert second.activities == [5]
    assert second.certification_body is None


def test_csv_commas_utf8_with_bom() -> None:
    data = '\ufeffNom,Activités\n"Exemple, Santé",toutes\n'.encode()
    (only,) = parse(data).hosts
    assert only.legal_name == "Exemple, Santé"
    assert only.activities == [1, 2, 3, 4, 5, 6]


def xlsx(rows: list[list[object]], title: str | None = "Hébergeurs certifiés HDS") -> bytes:
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.append([])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_with_one_column_per_activity_and_real_dates() -> None:
    data = xlsx(
        [
            ["Raison sociale", "Activité 1", "Activité 2", "Activité 6", "Fin de validité"],
            ["Exemple Data", "X", None, "oui", dt.datetime(2027, 6, 30)],
            [None, None, None, None, None],
            ["Sauvegarde Exemple", None, None, "x", "30/06/2020"],
        ]
    )
    first, second = parse(data).hosts
    assert first.activities == [1, 6]
    assert first.valid_until == dt.date(2027, 6, 30)
    assert second.activities == [6]
    assert second.expired(dt.date(2026, 11, 25))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "fichier vide"),
        (
            b"<!DOCTYPE html><html><body>Liste</body></html>",
            "page web (HTML), pas un tableau CSV ou XLSX",
        ),
        (b"Entreprise;Date de fin\n", "aucun hébergeur"),
        # Names alone would pass for the complete list and make every other host "absent".
        (b"Nom;Date\nOVH;2024\n", "aucune colonne sur la certification"),
        ("Nom;Activités\nExemple;7\n".encode(), "ligne 2, colonne « Activités »"),
        ("Nom;Activités\nExemple;1, 2, 9\n".encode(), "n'est pas une liste d'activités"),
        (b"Nom;Date de fin\nExemple;demain\n", "ligne 2, colonne « Date de fin »"),
        ("Nom;Activité 3\nExemple;peut-être\n".encode(), "n'est ni oui ni non"),
        ("Nom;Activités\n;1\n".encode(), "nom de l'hébergeur vide"),
        (
            "Nom;Date de début;Date de fin\nExemple;01/01/2026;01/01/2025\n".encode(),
            "ligne 2 (Exemple) : fin de validité antérieure au début",
        ),
        (b"PK\x03\x04 not really a zip", "classeur XLSX illisible"),
        (b"Nom\x00;\x00\n", "fichier binaire"),
    ],
)
def test_bad_tables_are_refused_with_the_place(data: bytes, message: str) -> None:
    with pytest.raises(TableError) as caught:
        parse(data)
    assert message in str(caught.value)


def test_missing_name_column_is_named() -> None:
    with pytest.raises(TableError) as caught:
        parse(b"Ville;Pays\nParis;France\n")
    text = str(caught.value)
    assert text.startswith("colonne « raison sociale » introuvable")
    assert "Ville, Pays" in text


def test_xlsx_without_header_row() -> None:
    with pytest.raises(TableError, match="colonne « raison sociale » introuvable"):
        parse(xlsx([["A", "B"], ["1", "2"]], title=None))


def test_activities_described_in_words_become_the_scope() -> None:
    data = "Nom;Activités;Services\nExemple;Hébergeur d'infrastructure physique;IaaS\n".encode()
    (only,) = parse(data).hosts
    assert only.activities == []
    assert only.scope == "IaaS; Hébergeur d'infrastructure physique"
    (numbered,) = parse("Nom;Activités\nExemple;Activités n° 1 et 2\n".encode()).hosts
    assert numbered.activities == [1, 2]
