"""`rgpd-audit questionnaire …` as a user runs it, and the interview reached from `run`."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from rgpd_audit.lab import Lab
from rgpd_audit.models import AuditResult
from rgpd_audit.questionnaire import (
    DONT_KNOW,
    load_answers,
    load_example_answers,
    load_questionnaire,
)
from rgpd_audit.questionnaire.conditions import walk
from rgpd_audit.questionnaire.draft import dump_answers

# The console script installed beside the interpreter running the tests (.venv/bin), even
# when the virtual environment is not activated; another rgpd-audit on PATH is never used.
EXE = str(Path(sys.executable).with_name("rgpd-audit"))
DATA = Path(__file__).parents[1] / "questionnaire" / "data" / "entretien.yaml"


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, "questionnaire", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_show_json_lists_every_question() -> None:
    done = cli("show", "--format", "json")
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    questionnaire = load_questionnaire()
    assert shown["questionnaire"] == questionnaire.label
    assert [q["id"] for q in shown["questions"]] == [q.id for q in questionnaire.questions()]
    first = shown["questions"][0]
    assert {"id", "section", "text", "type", "choices", "condition", "references"} <= set(first)


def test_show_text_of_a_profile() -> None:
    done = cli("show", "--profile", "medecin", "--questionnaire", str(DATA))
    assert done.returncode == 0, done.stderr
    assert "Posée si : q.canaux.whatsapp est « Oui »" in done.stdout
    assert "q.secretariat.identite" not in done.stdout


def test_show_unknown_profile() -> None:
    done = cli("show", "--profile", "dentiste")
    assert done.returncode == 2
    assert done.stderr.startswith("Erreur : --profile : profil « dentiste » inconnu")


def test_validate_ok_and_broken(tmp_path: Path) -> None:
    done = cli("validate", str(DATA))
    assert done.returncode == 0, done.stderr
    assert "questionnaire valide (entretien 1.0) — 3 section(s), 9 question(s)" in done.stdout

    broken = tmp_path / "casse.yaml"
    text = DATA.read_text(encoding="utf-8").replace("severity: medium", "severity: moyenne")
    broken.write_text(text, encoding="utf-8")
    line = text.splitlines().index("            severity: moyenne") + 1
    done = cli("validate", str(broken))
    assert done.returncode == 2
    assert done.stderr.startswith(
        f"Erreur : {broken}, ligne {line}, question q.canaux.mssante, champ scoring[0].severity"
    ), done.stderr
    assert "Traceback" not in done.stderr


def test_validate_missing_file(tmp_path: Path) -> None:
    done = cli("validate", str(tmp_path / "absent.yaml"))
    assert done.returncode == 2 and "introuvable" in done.stderr


def test_template_redirected_loads_back(tmp_path: Path) -> None:
    done = cli("template", "--profile", "medecin")
    assert done.returncode == 0, done.stderr
    path = tmp_path / "answers.yaml"
    path.write_text(done.stdout, encoding="utf-8")
    answers = load_answers(path, load_questionnaire())
    assert answers.values == {} and answers.meta.profile == "medecin"


def test_schema_is_json_schema_of_answers() -> None:
    done = cli("schema")
    assert done.returncode == 0, done.stderr
    schema = json.loads(done.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    first = load_questionnaire().questions()[0].id
    assert first in schema["properties"] and "meta" in schema["properties"]


def test_interview_needs_a_terminal(tmp_path: Path) -> None:
    done = cli("--profile", "medecin", cwd=tmp_path)
    assert done.returncode == 2
    assert "demande un terminal" in done.stderr
    assert not list(tmp_path.iterdir())


def test_run_at_a_terminal_interviews_then_audits(
    tmp_path: Path, lab: Lab, lab_args: list[str]
) -> None:
    """A draft left in the output folder is resumed; the audit continues with its answers."""
    questionnaire = load_questionnaire()
    example = load_example_answers(questionnaire)
    out = tmp_path / "audit"
    out.mkdir()
    draft = out / "reponses.brouillon.yaml"
    draft.write_text(
        dump_answers(questionnaire, example.values, example.meta, complete=False), encoding="utf-8"
    )
    args = ["run", "--domain", "cabinet-conforme.fr", *lab_args, "--format", "json"]
    child = pexpect.spawn(
        EXE,
        [*args, "--output", str(out)],
        cwd=str(tmp_path),
        encoding="utf-8",
        timeout=30,
        dimensions=(50, 200),
        env={**os.environ, "NO_COLOR": "1"},
    )
    child.expect_exact(f"Reprise de l'entretien : {len(example.values)} réponse(s)")
    # The example may leave questions unanswered: « je ne sais pas » to each, then confirm.
    skipped = 0
    while child.expect_exact(["RÉCAPITULATIF DE VOS RÉPONSES", "\r\n> "]) == 1:
        child.sendline("?")
        skipped += 1
        assert skipped < 200
    child.expect_exact("Entrée pour enregistrer et terminer : ")
    child.sendline("")
    child.expect_exact(f"Réponses enregistrées dans {out / 'reponses.yaml'}")
    child.expect_exact("Conformité ")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert not draft.exists()
    result = AuditResult.model_validate_json((out / "audit.json").read_text())
    assert {k: v for k, v in result.answers.items() if v != DONT_KNOW} == {
        k: v for k, v in example.values.items() if v != DONT_KNOW
    }
    assert len(result.answers) == len(example.values) + skipped
    assert result.target.profile == example.meta.profile
    assert any(f.source == "questionnaire" for f in result.findings)


def test_run_at_a_terminal_interrupted_says_how_to_resume(
    tmp_path: Path, lab: Lab, lab_args: list[str]
) -> None:
    out = tmp_path / "audit"
    # No history: a practice audited earlier in the session would start from its answers.
    args = ["run", "--domain", "cabinet-conforme.fr", *lab_args, "--profile", "medecin",
            "--no-history"]  # fmt: skip
    child = pexpect.spawn(
        EXE, [*args, "--output", str(out)], cwd=str(tmp_path), encoding="utf-8", timeout=60
    )
    child.expect_exact("Section 1/")
    child.expect_exact("\r\n> ")
    child.sendintr()
    child.expect_exact("Entretien interrompu : 0 réponse(s)")
    child.expect_exact("la même commande rgpd-audit run")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert (out / "reponses.brouillon.yaml").is_file()
    assert not (out / "audit.json").exists()


@pytest.mark.parametrize("command", ["show", "template", "schema"])
def test_broken_questionnaire_option_is_reported(tmp_path: Path, command: str) -> None:
    broken = tmp_path / "q.yaml"
    broken.write_text("id: x\nversion: 1\n", encoding="utf-8")
    done = cli(command, "--questionnaire", str(broken))
    assert done.returncode == 2
    assert done.stderr.startswith(f"Erreur : {broken}")


def _run_with_answers(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "reponses.yaml"
    path.write_text(text, encoding="utf-8")
    return subprocess.run(
        [EXE, "run", "--domain", "cabinet.fr", "--answers", str(path), "-o", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_run_answers_of_the_wrong_type_name_file_line_and_question(tmp_path: Path) -> None:
    first = load_questionnaire().questions()[0].id
    done = _run_with_answers(tmp_path, f"meta:\n  profile: medecin\n{first}: [9999, 9998]\n")
    assert done.returncode == 2
    assert done.stderr.startswith(
        f"Erreur : {tmp_path / 'reponses.yaml'}, ligne 3, question {first}"
    )
    assert not (tmp_path / "o").exists()


def test_run_answer_to_a_question_not_asked_is_an_error(tmp_path: Path) -> None:
    questionnaire = load_questionnaire()
    hidden = next(
        (
            v.question
            for v in walk(questionnaire, {}, "medecin")
            if not v.visible and v.question.when
        ),
        None,
    )
    if hidden is None:
        pytest.skip("aucune question conditionnelle dans le contenu livré")
    done = _run_with_answers(tmp_path, f"{hidden.id}: je ne sais pas\n")
    assert done.returncode == 2
    assert f"ligne 1, question {hidden.id} : question non posée" in done.stderr
