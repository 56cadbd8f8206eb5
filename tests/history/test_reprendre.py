"""`questionnaire --reprendre DOMAINE`: last year's recorded answers as the starting point,
through a real pseudo-terminal; only what is new or changed is asked."""

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import pexpect

from rgpd_audit.history.location import resolve
from rgpd_audit.history.store import HistoryStore
from rgpd_audit.models import AuditResult, Target
from rgpd_audit.questionnaire import load_answers, load_questionnaire_file

EXE = str(Path(sys.executable).with_name("rgpd-audit"))
DATA = Path(__file__).resolve().parents[1] / "questionnaire" / "data" / "entretien.yaml"


def test_only_new_or_changed_questions_are_asked(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'historique.sqlite3'}"
    store = HistoryStore.open(resolve(db))
    store.record(
        AuditResult(
            tool_version="0.1.0",
            target=Target(
                domain="cabinet-dupont.fr", practice_name="Cabinet Dupont", profile="medecin"
            ),
            started_at=datetime(2025, 3, 10, 9, tzinfo=UTC),
            questionnaire="entretien 0.9",
            answers={
                "q.canaux.whatsapp": "no",
                "q.canaux.mssante": "yes",
                # A choice the questionnaire has since removed: asked again.
                "q.gouvernance.registre": "en_cours",
                # A question that no longer exists: dropped.
                "q.canaux.fax": "yes",
                "q.gouvernance.postes": 3,
                "q.gouvernance.revue": "2025-01-10",
                "q.gouvernance.dpo": "Dr Martin",
            },
        )
    )
    out = tmp_path / "reponses.yaml"
    child = pexpect.spawn(
        EXE,
        ["questionnaire", "--reprendre", "cabinet-dupont.fr", "--db", db,
         "--questionnaire", str(DATA), "--answers-out", str(out)],
        cwd=str(tmp_path), encoding="utf-8", timeout=15, dimensions=(50, 200),
        env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    child.expect_exact("Réponses reprises de l'audit du 10 mars 2025 : 5 réponse(s) gardée(s), 2")
    child.expect_exact("[q.gouvernance.registre]")
    child.expect_exact("\r\n> ")
    child.sendline("1")
    child.expect_exact("RÉCAPITULATIF DE VOS RÉPONSES")
    child.expect_exact("Entrée pour enregistrer et terminer : ")
    child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    answers = load_answers(out, load_questionnaire_file(DATA))
    assert answers.meta.profile == "medecin" and answers.meta.practice_name == "Cabinet Dupont"
    assert answers.values["q.gouvernance.registre"] == "a_jour"
    assert answers.values["q.gouvernance.dpo"] == "Dr Martin"
    assert answers.values["q.canaux.whatsapp"] == "no" and "q.canaux.fax" not in answers.values


def test_unknown_practice_is_one_line(tmp_path: Path) -> None:
    child = pexpect.spawn(
        EXE,
        ["questionnaire", "--reprendre", "inconnu.fr", "--db", f"sqlite:///{tmp_path / 'h.db'}"],
        cwd=str(tmp_path), encoding="utf-8", timeout=15,
    )  # fmt: skip
    child.expect_exact("Erreur : aucun audit de inconnu.fr avec des réponses")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2


def test_run_at_a_terminal_starts_from_last_years_answers(
    tmp_path: Path, lab_args: list[str]
) -> None:
    from rgpd_audit.questionnaire import load_example_answers, load_questionnaire

    example = load_example_answers(load_questionnaire())
    db = f"sqlite:///{tmp_path / 'historique.sqlite3'}"
    HistoryStore.open(resolve(db)).record(
        AuditResult(
            tool_version="0.1.0",
            target=Target(domain="cabinet-conforme.fr", profile=example.meta.profile),
            started_at=datetime(2025, 12, 1, 9, tzinfo=UTC),
            questionnaire="sante",
            answers=dict(example.values),
        )
    )
    out = tmp_path / "audit"
    child = pexpect.spawn(
        EXE,
        ["run", "-d", "cabinet-conforme.fr", *lab_args, "--db", db, "-o", str(out),
         "--format", "json"],
        cwd=str(tmp_path), encoding="utf-8", timeout=60, dimensions=(50, 200),
        env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    child.expect_exact("Réponses reprises de l'audit du 1er décembre 2025")
    # Questions the example leaves open are asked: « je ne sais pas » to each.
    asked = 0
    while child.expect_exact(["RÉCAPITULATIF DE VOS RÉPONSES", "\r\n> "]) == 1:
        child.sendline("?")
        asked += 1
        assert asked < 30
    child.expect_exact("Entrée pour enregistrer et terminer : ")
    child.sendline("")
    child.expect_exact("Conformité ")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    result = AuditResult.model_validate_json((out / "audit.json").read_text())
    kept = {k: v for k, v in example.values.items() if v != "je ne sais pas"}
    assert {k: v for k, v in result.answers.items() if k in kept} == kept
