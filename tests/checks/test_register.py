"""The register.* checks: on a context built from a real register file, and through `run`."""

import json
import subprocess
import sys
from pathlib import Path

import openpyxl

from rgpd_audit.checks.register import RegisterRowFacts, RetentionFacts
from rgpd_audit.config import RunConfig
from rgpd_audit.context import CheckContext
from rgpd_audit.lab import Lab
from rgpd_audit.models import CheckResult, Status, Target
from rgpd_audit.register.content import layout
from rgpd_audit.register.writer import starter_rows, write_register
from rgpd_audit.registry import discover

# The console script installed beside the interpreter running the tests (.venv/bin), even
# when the virtual environment is not activated; another rgpd-audit on PATH is never used.
EXE = str(Path(sys.executable).with_name("rgpd-audit"))
COL = {c.key: i for i, c in enumerate(layout().columns, start=1)}
FILLED = {
    "controller": "Dr Marie Dupont, cabinet@dupont.fr",
    "legal_basis": "6.1.c — obligation légale",
    "health_data": "oui",
    "art9_exception": "Art. 9.2.h (soins)",
    "persons": "Patients",
    "purpose": "Gestion du cabinet",
    "data_categories": "Identité, données de santé",
    "recipients": "Praticiens du cabinet",
    "transfers": "Aucun",
    "transfer_safeguards": "Sans objet",
    "retention": "2 ans",
    "security": "Comptes individuels, sauvegardes",
    "processors": "Éditeur du logiciel (contrat : oui)",
    "dpia": "non requise",
}
REGISTER_CHECKS = sorted(s.meta.id for s in discover() if s.meta.id.startswith("register."))


def complete_register(tmp_path: Path) -> Path:
    rows = starter_rows("medecin")
    for row in rows:
        for key, value in row.items():
            if layout().is_blank(value):
                row[key] = FILLED[key]
    path = tmp_path / "registre.xlsx"
    write_register(rows, path)
    return path


def edit(path: Path, cells: dict[tuple[int, str], object]) -> None:
    workbook = openpyxl.load_workbook(path)
    for (row, key), value in cells.items():
        workbook["Registre"].cell(row=row, column=COL[key]).value = value
    workbook.save(path)


def row(result: CheckResult) -> RegisterRowFacts:
    assert isinstance(result.facts, RegisterRowFacts)
    return result.facts


def run_checks(register: Path | None, answers: dict | None = None) -> dict[str, list]:
    ctx = CheckContext(
        Target(domain="cabinet.test"), RunConfig(register_file=register), answers or {}
    )
    return {
        spec.meta.id: spec.load()(ctx)
        for spec in discover()
        if spec.meta.id.startswith("register.")
    }


def test_every_register_check_is_installed() -> None:
    assert REGISTER_CHECKS == [
        "register.art30.fields",
        "register.dpia.flag",
        "register.health.art9_exception",
        "register.legal_basis",
        "register.processors.contracts",
        "register.retention.referentiel",
        "register.transfers.safeguards",
    ]


def test_without_a_register_every_check_is_not_applicable() -> None:
    for results in run_checks(None).values():
        assert [r.status for r in results] == [Status.NOT_APPLICABLE]


def test_a_complete_register_passes_every_check(tmp_path: Path) -> None:
    results = run_checks(complete_register(tmp_path))
    for check_id, found in results.items():
        assert [r.status for r in found] == [Status.PASS], check_id
    [retention] = results["register.retention.referentiel"]
    assert isinstance(retention.facts, RetentionFacts)
    assert "Dossier patient" in [c.label for c in retention.facts.categories]


def test_failures_name_the_activity_sheet_and_row(tmp_path: Path) -> None:
    path = complete_register(tmp_path)
    edit(
        path,
        {(3, "legal_basis"): None, (3, "recipients"): "à compléter", (2, "retention"): "30 ans"},
    )
    results = run_checks(path)
    (basis,) = results["register.legal_basis"]
    assert basis.status is Status.FAIL
    assert basis.subject == "Gestion des rendez-vous (feuille « Registre », ligne 3)"
    # Where to look, as the DPO will search the file: sheet, row, column and its letter.
    assert basis.evidence[0].label == "feuille « Registre », ligne 3, colonne « Base légale » (E)"
    assert (row(basis).sheet, row(basis).row, row(basis).file) == ("Registre", 3, "registre.xlsx")
    assert [(p.column, p.value) for p in row(basis).problems] == [("legal_basis", None)]
    (fields,) = results["register.art30.fields"]
    assert [(p.column, p.value) for p in row(fields).problems] == [("recipients", "à compléter")]
    (retention,) = results["register.retention.referentiel"]
    assert retention.status is Status.FAIL and row(retention).row == 2
    assert [(p.column, p.value) for p in row(retention).problems] == [("retention", "30 ans")]
    assert [r.status for r in results["register.dpia.flag"]] == [Status.PASS]


def test_substance_findings_name_the_row_and_the_texts(tmp_path: Path) -> None:
    path = complete_register(tmp_path)
    edit(
        path,
        {
            (2, "legal_basis"): "Consentement du patient",
            (3, "health_data"): "non",
            (3, "data_categories"): "Identité, motif du rendez-vous, données de santé",
            (5, "transfers"): "États-Unis (plateforme de visio)",
            (5, "transfer_safeguards"): "Clauses contractuelles types",
        },
    )
    results = run_checks(path)
    (basis,) = results["register.legal_basis"]
    assert basis.subject == "Dossiers médicaux des patients (feuille « Registre », ligne 2)"
    assert [(p.column, p.value) for p in row(basis).problems] == [
        ("legal_basis", "Consentement du patient")
    ]
    # Care rests on 9.2.h, not on consent: the finding must say which text applies.
    assert "9.2.h" in basis.summary
    (health,) = results["register.health.art9_exception"]
    assert row(health).row == 3 and row(health).name == "Gestion des rendez-vous"
    [categories] = row(health).problems
    assert categories.column == "data_categories"
    assert categories.column_label == "colonne « Catégories de données » (I)"
    (abroad,) = results["register.transfers.safeguards"]
    assert row(abroad).row == 5 and row(abroad).rule == "register.transfers.safeguards"
    assert row(abroad).problems[0].value == "États-Unis (plateforme de visio)"
    assert abroad.evidence[0].value == "États-Unis (plateforme de visio)"


def test_the_dpia_threshold_comes_from_the_answers(tmp_path: Path) -> None:
    path = complete_register(tmp_path)
    over = {"q.cabinet.structure": "groupe_si_commun", "q.cabinet.patients_par_an": 15000}
    failed = run_checks(path, over)["register.dpia.flag"]
    # Every health-data activity marked « non requise » is reported, each with its row.
    assert failed and all(r.status is Status.FAIL for r in failed)
    assert all([p.column for p in row(r).problems] == ["dpia"] for r in failed)
    assert all(row(r).problems[0].value == "non requise" for r in failed)
    solo = run_checks(path, {"q.cabinet.structure": "individuel"})["register.dpia.flag"]
    assert [r.status for r in solo] == [Status.PASS]


def test_run_with_register_reports_rows_in_json_and_html(
    tmp_path: Path, lab: Lab, lab_args: list[str]
) -> None:
    path = complete_register(tmp_path)
    edit(
        path,
        {
            (6, "processors"): "Messagerie X (contrat : non)",
            (5, "transfers"): "États-Unis",
            (5, "transfer_safeguards"): "Clauses contractuelles types",
        },
    )
    out = tmp_path / "out"
    done = subprocess.run(
        [
            EXE,
            "run",
            "--domain",
            "cabinet-conforme.fr",
            *lab_args,
            "--register",
            str(path),
            "--only",
            "register.*",
            "--format",
            "json,html",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    findings = json.loads((out / "audit.json").read_text())["findings"]
    by_id = {f["check_id"]: f for f in findings if f["source"] == "check"}
    assert set(by_id) == set(REGISTER_CHECKS)
    contracts = by_id["register.processors.contracts"]
    assert contracts["status"] == "fail" and contracts["category"] == "gouvernance"
    subject = "Échanges avec les autres professionnels de santé (feuille « Registre », ligne 6)"
    assert contracts["subject"] == subject
    # Health data sent to the USA under standard contractual clauses: high, with the HDS texts.
    abroad = by_id["register.transfers.safeguards"]
    assert abroad["status"] == "fail" and abroad["severity"] == "high"
    assert abroad["facts_kind"] == "register.row"
    facts = RegisterRowFacts.model_validate(abroad["facts"])
    assert (facts.sheet, facts.row, facts.problems[0].column) == ("Registre", 5, "transfers")
    assert facts.problems[0].value == "États-Unis"
    assert contracts["facts"]["problems"][0]["value"] == "Messagerie X"
    labels = " ".join(ref["label"] for ref in abroad["references"])
    assert "26 avril 2024" in labels and "L.1111-8" in labels and "10 juillet 2023" in labels
    html = (out / "report.html").read_text()
    assert "feuille « Registre », ligne 6" in html and "Messagerie X" in html


def test_run_refuses_an_unreadable_register_before_any_check(tmp_path: Path) -> None:
    path = complete_register(tmp_path)
    edit(path, {(4, "health_data"): "peut-être"})
    done = subprocess.run(
        [
            EXE,
            "run",
            "--domain",
            "cabinet.test",
            "--register",
            str(path),
            "-o",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("Erreur : ") and done.stderr.count("\n") == 1
    assert (
        "feuille « Registre », ligne 4, colonne « Données de santé (oui/non) » (F)" in done.stderr
    )
    assert not (tmp_path / "o").exists()


def test_an_empty_register_is_one_article_30_failure(tmp_path: Path) -> None:
    path = tmp_path / "registre.csv"
    path.write_text("Traitement;Finalités\n", encoding="utf-8")
    results = run_checks(path)
    statuses = {check_id: [r.status for r in found] for check_id, found in results.items()}
    assert statuses.pop("register.art30.fields") == [Status.FAIL]
    assert set(map(tuple, statuses.values())) == {(Status.NOT_APPLICABLE,)}
