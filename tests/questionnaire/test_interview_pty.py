"""The real interactive prompt of the installed `rgpd-audit`, driven through a pseudo-terminal.

One interview goes through everything a consultant does in a real session: answers, going
back and changing an answer (which hides a later question and drops its answer), « je ne sais
pas », Ctrl-C, resumption, a killed terminal, resumption again, a change from the summary.
Nothing given before an interruption may be lost.
"""

import os
import signal
import stat
import sys
from pathlib import Path

import pexpect
import pytest

from rgpd_audit.questionnaire import (
    DONT_KNOW,
    evaluate,
    load_answers,
    load_questionnaire,
    load_questionnaire_file,
)
from rgpd_audit.questionnaire.conditions import walk

# The console script installed beside the interpreter running the tests (.venv/bin), even
# when the virtual environment is not activated; another rgpd-audit on PATH is never used.
EXE = str(Path(sys.executable).with_name("rgpd-audit"))
DATA = Path(__file__).parent / "data" / "entretien.yaml"
PROMPT = "\r\n> "


def spawn(cwd: Path, *args: str) -> pexpect.spawn:
    child = pexpect.spawn(
        EXE,
        ["questionnaire", *args],
        cwd=str(cwd),
        encoding="utf-8",
        timeout=10,
        dimensions=(50, 200),
        env={**os.environ, "NO_COLOR": "1"},
    )
    child.logfile_read = _Transcript()
    return child


class _Transcript:
    """Everything the program printed, to check what was never asked."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, data: str) -> None:
        self.text += data

    def flush(self) -> None:
        pass


def answer(child: pexpect.spawn, question_id: str, typed: str, current: str | None = None) -> None:
    """Wait for `question_id` to be asked (with its `current` answer, if any), type `typed`."""
    child.expect_exact(f"[{question_id}]")
    if current is not None:
        child.expect_exact(f"Réponse actuelle : {current} (Entrée pour la garder)")
    child.expect_exact(PROMPT)
    child.sendline(typed)


def finish(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus if child.exitstatus is not None else -(child.signalstatus or 0)


def test_interview_survives_ctrl_c_and_a_killed_terminal(tmp_path: Path) -> None:
    questionnaire = load_questionnaire_file(DATA)
    out = tmp_path / "cabinet.yaml"
    draft = tmp_path / "cabinet.brouillon.yaml"
    common = ["--answers-out", str(out), "--questionnaire", str(DATA)]

    # First sitting: answers, back twice, a changed answer, « je ne sais pas », Ctrl-C.
    child = spawn(tmp_path, "--profile", "medecin", *common)
    child.expect_exact("Section 1/2 · question 1/2")
    answer(child, "q.canaux.whatsapp", "o")
    answer(child, "q.canaux.whatsapp_contenu", "1, 2")
    answer(child, "q.canaux.whatsapp_groupe", "n")
    answer(child, "q.canaux.mssante", "<")
    answer(child, "q.canaux.whatsapp_groupe", "<", current="Non")
    answer(child, "q.canaux.whatsapp_contenu", "2", current="Rendez-vous ; Résultats d'examens")
    child.expect_exact("ne s'appliquent plus ont été retirées : q.canaux.whatsapp_groupe")
    answer(child, "q.canaux.mssante", "?")
    child.expect_exact("Section 2/2 · question 1/4")
    answer(child, "q.gouvernance.registre", "4")
    child.expect_exact("Réponse non comprise")
    child.expect_exact(PROMPT)
    child.sendline("1")
    child.expect_exact("[q.gouvernance.postes]")
    child.expect_exact(PROMPT)
    child.sendintr()
    child.expect_exact("Entretien interrompu : 4 réponse(s) enregistrée(s)")
    child.expect_exact("rgpd-audit questionnaire --resume --answers-out")
    assert finish(child) == 130
    first = child.logfile_read.text

    assert stat.S_IMODE(draft.stat().st_mode) == 0o600
    assert not out.exists()
    saved = load_answers(draft, questionnaire)
    assert saved.meta.profile == "medecin"
    assert saved.values == {
        "q.canaux.whatsapp": "yes",
        "q.canaux.whatsapp_contenu": ["resultats"],
        "q.canaux.mssante": DONT_KNOW,
        "q.gouvernance.registre": "a_jour",
    }

    # Second sitting: resumes at the first unanswered question, then the terminal is killed.
    child = spawn(tmp_path, "--resume", *common)
    child.expect_exact("Reprise de l'entretien : 4 réponse(s) déjà données.")
    child.expect_exact("Section 2/2 · question 2/4")
    answer(child, "q.gouvernance.postes", "3")
    answer(child, "q.gouvernance.revue", "15/03/2026")
    child.expect_exact("[q.gouvernance.dpo]")
    child.expect_exact(PROMPT)
    child.kill(signal.SIGKILL)
    assert finish(child) == -signal.SIGKILL
    second = child.logfile_read.text

    saved = load_answers(draft, questionnaire)
    assert saved.values["q.gouvernance.postes"] == 3
    assert saved.values["q.gouvernance.revue"] == "2026-03-15"
    assert len(saved.values) == 6

    # Third sitting: last answer, a change from the summary, confirmation.
    child = spawn(tmp_path, "--resume", *common)
    answer(child, "q.gouvernance.dpo", "Dr Martin : DPO mutualisé")
    child.expect_exact("RÉCAPITULATIF DE VOS RÉPONSES")
    child.expect_exact("→ je ne sais pas")
    child.expect_exact("Entrée pour enregistrer et terminer : ")
    child.sendline("3")
    answer(child, "q.canaux.mssante", "n", current="je ne sais pas")
    child.expect_exact("RÉCAPITULATIF DE VOS RÉPONSES")
    child.expect_exact("Entrée pour enregistrer et terminer : ")
    child.sendline("")
    child.expect_exact(f"Réponses enregistrées dans {out}")
    assert finish(child) == 0
    third = child.logfile_read.text

    assert not draft.exists()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    final = load_answers(out, questionnaire)
    assert final.values == {
        "q.canaux.whatsapp": "yes",
        "q.canaux.whatsapp_contenu": ["resultats"],
        "q.canaux.mssante": "no",
        "q.gouvernance.registre": "a_jour",
        "q.gouvernance.postes": 3,
        "q.gouvernance.revue": "2026-03-15",
        "q.gouvernance.dpo": "Dr Martin : DPO mutualisé",
    }
    assert final.meta.profile == "medecin" and final.meta.date is not None
    statuses = {f.check_id: f.status for f in evaluate(questionnaire, final)}
    assert statuses == {
        "q.canaux.whatsapp_contenu": "fail",
        "q.canaux.mssante": "fail",
        "q.gouvernance.registre": "pass",
    }
    # The other profile's section was never shown; the hidden question was asked only while
    # its condition held, in the first sitting.
    transcript = first + second + third
    assert "q.secretariat.identite" not in transcript
    assert "[q.canaux.whatsapp_groupe]" not in second + third


def test_resume_without_a_draft_and_restart_over_a_draft_are_refused(tmp_path: Path) -> None:
    common = ["--answers-out", str(tmp_path / "r.yaml"), "--questionnaire", str(DATA)]
    child = spawn(tmp_path, "--resume", *common)
    child.expect_exact("aucun entretien à reprendre")
    assert finish(child) == 2

    child = spawn(tmp_path, *common)
    child.expect_exact("Quel est votre profil ?")
    child.expect_exact(PROMPT)
    child.sendline("2")
    child.expect_exact("profil : Télésecrétariat")
    answer(child, "q.canaux.whatsapp", "n")
    answer(child, "q.canaux.mssante", "o")
    child.expect_exact(PROMPT)
    child.sendeof()
    child.expect_exact("Entretien interrompu : 2 réponse(s)")
    assert finish(child) == 130

    child = spawn(tmp_path, *common)
    child.expect_exact("un entretien interrompu existe")
    assert finish(child) == 2

    # The terminal window is closed (hang-up) while a question waits for its answer.
    child = spawn(tmp_path, "--resume", *common)
    answer(child, "q.gouvernance.registre", "3")
    child.expect_exact("[q.gouvernance.postes]")
    child.expect_exact(PROMPT)
    child.close(force=True)
    assert child.signalstatus == signal.SIGHUP
    saved = load_answers(tmp_path / "r.brouillon.yaml", load_questionnaire_file(DATA))
    assert saved.meta.profile == "telesecretariat"
    assert saved.values == {
        "q.canaux.whatsapp": "no",
        "q.canaux.mssante": "yes",
        "q.gouvernance.registre": "non",
    }


@pytest.mark.parametrize("profile", ["medecin"])
def test_shipped_questionnaire_first_question(tmp_path: Path, profile: str) -> None:
    questionnaire = load_questionnaire()
    first = next(v.question.id for v in walk(questionnaire, {}, profile) if v.visible)
    child = spawn(tmp_path, "--profile", profile)
    answer(child, first, "?")
    child.expect_exact("Section 1/")
    child.expect_exact(PROMPT)
    child.sendintr()
    child.expect_exact("Entretien interrompu : 1 réponse(s)")
    assert finish(child) == 130
    saved = load_answers(tmp_path / "reponses.brouillon.yaml", questionnaire)
    assert saved.values == {first: DONT_KNOW}
    assert saved.meta.profile == profile
