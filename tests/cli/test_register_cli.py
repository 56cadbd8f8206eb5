"""`rgpd-audit register init | validate`, in a subprocess: files, exit codes, messages."""

import json
import stat
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from rgpd_audit.register.content import layout

# The console script installed beside the interpreter running the tests (.venv/bin), even
# when the virtual environment is not activated; another rgpd-audit on PATH is never used.
EXE = str(Path(sys.executable).with_name("rgpd-audit"))
COL = {c.key: i for i, c in enumerate(layout().columns, start=1)}


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, *args], capture_output=True, text=True, cwd=cwd, timeout=60)


def fill(path: Path) -> None:
    """Complete a starter register the way a practitioner would, in a spreadsheet."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Registre"]
    values = {
        "controller": "Dr Dupont",
        "legal_basis": "obligation légale",
        "health_data": "non",
        "data_categories": "Identité",
        "recipients": "Cabinet",
        "transfers": "aucun",
        "transfer_safeguards": "sans objet",
        "art9_exception": "sans objet",
        "retention": "1 an",
        "security": "Mots de passe",
        "processors": "aucun",
        "dpia": "non requise",
        "persons": "Patients",
    }
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            key = layout().columns[cell.column - 1].key
            if layout().is_blank(cell.value):
                cell.value = values[key]
    workbook.save(path)


@pytest.mark.parametrize("suffix", [".xlsx", ".ods", ".csv", ".yaml"])
def test_init_writes_a_private_starter_that_validate_reads(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"registre{suffix}"
    done = cli("register", "init", "--profile", "medecin", "-o", str(path))
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "8 traitements" in done.stdout
    checked = cli("register", "validate", str(path))
    assert checked.returncode == 1, checked.stderr
    assert "point(s) à corriger" in checked.stdout
    assert "Dossiers médicaux des patients" in checked.stdout


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "registre.xlsx"
    path.write_text("mon registre")
    done = cli("register", "init", "-o", str(path))
    assert done.returncode == 2 and "--force" in done.stderr
    assert path.read_text() == "mon registre"
    assert cli("register", "init", "-o", str(path), "--force").returncode == 0
    assert path.read_bytes().startswith(b"PK")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["register", "init", "-o", "r.xlsx", "--profile", "dentiste"], "profil « dentiste »"),
        (["register", "init", "-o", "r.docx"], "extension « .docx » inconnue"),
        (["register", "validate", "absent.ods"], "absent.ods : fichier introuvable"),
        (["register", "validate", "."], "c'est un dossier"),
    ],
)
def test_bad_input_gives_one_french_line_and_exit_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    done = cli(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("Erreur : ") and message in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_a_completed_register_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "registre.xlsx"
    assert cli("register", "init", "-o", str(path)).returncode == 0
    fill(path)
    done = cli("register", "validate", str(path))
    assert done.returncode == 0, done.stdout
    assert "8 traitement(s), registre complet" in done.stdout
    assert "Dossier patient, conforme" in done.stdout


def test_json_output_names_rule_sheet_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "registre.xlsx"
    assert cli("register", "init", "-o", str(path)).returncode == 0
    fill(path)
    workbook = openpyxl.load_workbook(path)
    workbook["Registre"].cell(row=5, column=COL["transfers"]).value = "Suisse"
    workbook["Registre"].cell(row=5, column=COL["transfer_safeguards"]).value = None
    workbook.save(path)
    done = cli("register", "validate", str(path), "--format", "json")
    assert done.returncode == 1
    payload = json.loads(done.stdout)
    assert payload["complete"] is False and len(payload["activities"]) == 8
    # Teleconsultation holds health data: the missing safeguards, worded with the Swiss
    # adequacy decision, and the HDS hosting that no adequacy decision lifts.
    safeguards, health = payload["issues"]
    assert safeguards == {
        "rule": "register.transfers.safeguards",
        "activity": "Téléconsultation et télésoin",
        "sheet": "Registre",
        "row": 5,
        "column": "colonne « Garanties des transferts » (L)",
        "message": "transfert hors UE (« Suisse ») sans garanties indiquées ; la Suisse bénéficie "
        "d'une décision d'adéquation de la Commission européenne (décision 2000/518/CE, RGPD art."
        " 45) : indiquez-la dans la colonne des garanties",
        "value": None,
    }
    assert health["column"] == "colonne « Transferts hors UE » (K)"
    assert health["value"] == "Suisse" and "certifié HDS" in health["message"]


def test_terminal_escapes_in_a_register_are_neutralised(tmp_path: Path) -> None:
    path = tmp_path / "registre.csv"
    path.write_text("Traitement;Base légale\n\x1b[31mPiège;\n", encoding="utf-8")
    done = cli("register", "validate", str(path))
    assert done.returncode == 1
    assert "\x1b" not in done.stdout and "[31mPiège" in done.stdout


def test_the_register_libraries_load_only_with_the_command() -> None:
    code = (
        "import sys, rgpd_audit.cli; "
        "print(sorted(m for m in ('openpyxl', 'odf') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr
