"""The client list is checked whole before anything starts: errors by line and column."""

from pathlib import Path

import pytest
from openpyxl import Workbook

from rgpd_audit.portfolio.clients import ClientListError, rows, validate
from tests.portfolio.conftest import client_list


def test_valid_list_is_counted_and_read_back(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text("{}\n")
    path = client_list(
        tmp_path,
        [
            "Cabinet-Dupont.FR;Cabinet Dupont;a@cabinet-dupont.fr, b@cabinet-dupont.fr;"
            "medecin;r.yaml",
            "kine.fr;;;;",
        ],
    )
    assert validate(path) == 2
    first, second = rows(path)
    assert (first.line, first.domain, first.profile) == (2, "cabinet-dupont.fr", "medecin")
    assert first.emails == ("a@cabinet-dupont.fr", "b@cabinet-dupont.fr")
    assert first.answers == tmp_path / "r.yaml"
    assert (second.line, second.name, second.answers) == (3, None, None)


def test_every_error_names_its_line_and_column(tmp_path: Path) -> None:
    path = client_list(
        tmp_path,
        [
            "ok.fr;;;;",
            "pas un domaine;X;;;",
            "ok2.fr;;pas-une-adresse;;",
            "ok.fr;doublon;;;",
            "autre.fr;;;dentiste;",
            "encore.fr;;;;absent.yaml",
        ],
    )
    with pytest.raises(ClientListError) as caught:
        validate(path)
    messages = caught.value.messages
    assert messages[0].startswith("clients.csv, ligne 3, colonne « domaine » : ")
    assert messages[1].startswith("clients.csv, ligne 4, colonne « emails » : ")
    assert messages[2] == (
        "clients.csv, ligne 5, colonne « domaine » : ok.fr figure déjà à la ligne 2"
    )
    assert messages[3].startswith("clients.csv, ligne 6, colonne « profil » : profil « dentiste »")
    assert messages[4].startswith("clients.csv, ligne 7, colonne « reponses » : ")
    assert "introuvable" in messages[4]


def test_unknown_column_is_named_by_its_letter(tmp_path: Path) -> None:
    path = tmp_path / "clients.csv"
    path.write_text("domaine,nom,téléphone\nok.fr,X,01\n")
    with pytest.raises(ClientListError) as caught:
        validate(path)
    assert caught.value.messages == [
        "clients.csv, ligne 1, colonne C : colonne « téléphone » inconnue (colonnes possibles "
        ": domaine, nom, emails, profil, reponses, registre, inventaire)"
    ]


def test_xlsx_list_is_read_like_the_csv(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Domaine", "Nom", "Profil"])
    sheet.append(["cabinet-a.fr", "Cabinet A", "paramedical"])
    sheet.append([None, None, None])
    sheet.append(["cabinet-b.fr", None, None])
    path = tmp_path / "clients.xlsx"
    workbook.save(path)
    assert validate(path) == 2
    assert [(r.line, r.domain, r.profile) for r in rows(path)] == [
        (2, "cabinet-a.fr", "paramedical"),
        (4, "cabinet-b.fr", None),
    ]


def test_bad_list_starts_nothing(cli, tmp_path: Path) -> None:
    path = client_list(tmp_path, ["ok.fr;;;;", "x y;;;;"])
    out = tmp_path / "lot"
    done = cli("batch", str(path), "-o", str(out), "--nameserver", "127.0.0.1:9")
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        "Erreur : clients.csv, ligne 3, colonne « domaine » : « x y » n'est pas un nom de domaine "
        "(exemple attendu : cabinet-dupont.fr)"
    ]
    assert not out.exists()
