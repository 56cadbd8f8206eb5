"""`rgpd-audit password` and the interview's password step, run as the installed program.

The pseudo-terminal tests type passwords hidden, as a practitioner does, and then look for
them everywhere the tool writes: terminal output, answers file, audit.json, HTML and PDF.
"""

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import zlib
from pathlib import Path

import pexpect

from rgpd_audit.lab import Lab
from rgpd_audit.questionnaire import load_answers, load_questionnaire

# The console script installed beside the interpreter running the tests (.venv/bin), even
# when the virtual environment is not activated; another rgpd-audit on PATH is never used.
EXE = str(Path(sys.executable).with_name("rgpd-audit"))
EXAMPLE = Path(__file__).parents[2] / "questionnaires" / "exemple-reponses.yaml"
SECRET_PROMPT = "pendant la saisie) : "
WEAK = "Doudou2024!"
STRONG = "xK9#mQ2vL!pZ"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, "password", *args], input=stdin, capture_output=True, text=True, timeout=60
    )


def spawn(cwd: Path, *args: str) -> pexpect.spawn:
    child = pexpect.spawn(
        EXE, list(args), cwd=str(cwd), encoding="utf-8", timeout=30, dimensions=(50, 200)
    )
    child.logfile_read = Transcript()
    return child


class Transcript:
    """Everything the program printed to the terminal."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, data: str) -> None:
        self.text += data

    def flush(self) -> None:
        pass


def finish(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def test_stdin_json_holds_derived_data_only() -> None:
    done = run("--stdin", "--format", "json", "--label", "Messagerie", stdin=WEAK + "\n")
    assert done.returncode == 1, done.stderr
    payload = json.loads(done.stdout)
    assert payload["label"] == "Messagerie" and payload["score"] <= 2
    assert payload["cnil"]["compliant"] is False and payload["cnil"]["required_bits"] == 80
    assert "Doudou" not in done.stdout + done.stderr


def test_stdin_strong_password_with_limited_attempts_exits_0() -> None:
    done = run("--stdin", "--protection", "essais_limites", stdin="Wq8!zP#4\n")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "conforme au cas n° 2 de la CNIL" in done.stdout
    assert "Wq8!" not in done.stdout


def test_practice_words_come_from_the_answers_file() -> None:
    # The example practice: « Claire Exemple » in Villefranche-sur-Exemple.
    done = run("--stdin", "--format", "json", "--answers", str(EXAMPLE), stdin="ClaireExemple!7\n")
    assert json.loads(done.stdout)["practice_word"] is True
    done = run("--stdin", "--format", "json", "--domain", "kervadec.fr", stdin="Kervadec1!x\n")
    assert json.loads(done.stdout)["practice_word"] is True


def test_pipe_without_stdin_option_is_refused() -> None:
    done = run(stdin=WEAK + "\n")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "ajoutez --stdin" in done.stderr
    assert "Traceback" not in done.stderr


def test_empty_password_and_bad_answers_file_are_refused(tmp_path: Path) -> None:
    assert run("--stdin", stdin="\n").returncode == 2
    bad = tmp_path / "reponses.yaml"
    bad.write_text("q.inconnue: oui\n", encoding="utf-8")
    done = run("--stdin", "--answers", str(bad), stdin=WEAK + "\n")
    assert done.returncode == 2
    assert done.stderr.startswith("Erreur : ") and "ligne 1" in done.stderr


def test_password_is_not_an_argument() -> None:
    done = run(WEAK)
    assert done.returncode == 2
    assert "commande inconnue" in done.stderr
    assert WEAK not in done.stdout + done.stderr


def test_hidden_prompt_does_not_echo(tmp_path: Path) -> None:
    child = spawn(tmp_path, "password", "--label", "Session")
    child.expect_exact(SECRET_PROMPT)
    child.sendline(WEAK)
    child.expect_exact("Session : non conforme")
    assert finish(child) == 1
    assert "Doudou" not in child.logfile_read.text


def test_stdin_option_in_a_terminal_is_refused(tmp_path: Path) -> None:
    # It would read a visible line: the hidden prompt is the way in a terminal.
    child = spawn(tmp_path, "password", "--stdin")
    child.expect_exact("omettez --stdin")
    assert finish(child) == 2


def test_no_trace_of_typed_passwords_in_any_output(
    tmp_path: Path, lab: Lab, lab_args: list[str]
) -> None:
    # An interview whose questions are all answered (the example practice's), resumed: it
    # goes to the summary, then to the password step.
    shutil.copy(EXAMPLE, tmp_path / "reponses.brouillon.yaml")
    child = spawn(tmp_path, "questionnaire", "--resume")
    while child.expect([r"\[q\.[a-z_.]+\]", "Entrée pour enregistrer et terminer : "]) == 0:
        child.expect_exact("\r\n> ")
        child.sendline("?")
    child.sendline("")
    child.expect_exact("Tester des mots de passe maintenant ? (o/N) ")
    child.sendline("o")
    for choice, secret in [("1", STRONG), ("2", WEAK)]:
        child.expect_exact("Entrée pour terminer : ")
        child.sendline(choice)
        child.expect_exact("(o/N) ")
        child.sendline("n")
        child.expect_exact(SECRET_PROMPT)
        child.sendline(secret)
        child.expect_exact("Note zxcvbn")
    child.expect_exact("Entrée pour terminer : ")
    child.sendline("")
    child.expect_exact("Réponses enregistrées dans reponses.yaml.")
    assert finish(child) == 0
    terminal = child.logfile_read.text

    answers = load_answers(tmp_path / "reponses.yaml", load_questionnaire())
    strong, weak = answers.password_tests
    assert (strong.label, strong.score) == ("Logiciel métier", 4)
    assert (weak.label, weak.predictable) == ("Messagerie", True)
    assert weak.score <= 2

    out = tmp_path / "rapport"
    done = subprocess.run(
        [
            EXE, "run", "--domain", "cabinet-conforme.fr", *lab_args,
            "--answers", str(tmp_path / "reponses.yaml"),
            "--only", "auth.password.*", "--format", "json,html,pdf", "-o", str(out),
        ],
        capture_output=True, text=True, timeout=120, env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    audit = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    strength = [f for f in audit["findings"] if f["check_id"] == "auth.password.strength"]
    assert {f["subject"]: f["status"] for f in strength} == {
        "Logiciel métier": "pass",
        "Messagerie": "fail",
    }
    # One card for the control, each subject with what was found about it.
    report = (out / "report.html").read_text(encoding="utf-8")
    visible = " ".join(re.sub(r"<[^>]+>", " ", report).split())
    assert "Messagerie — non conforme" in visible

    texts = [terminal, done.stdout, done.stderr]
    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            texts.append(data.decode("utf-8", errors="replace"))
            if path.suffix == ".pdf":
                texts += [_inflate(stream) for stream in _pdf_streams(data)]
    assert (out / "report.pdf").exists()
    for secret in (STRONG, WEAK):
        for text in texts:
            assert secret not in text
            assert secret[:6] not in text


def _pdf_streams(data: bytes) -> list[bytes]:
    return re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, flags=re.S)


def _inflate(stream: bytes) -> str:
    try:
        return zlib.decompress(stream).decode("latin-1")
    except zlib.error:
        return stream.decode("latin-1")


def test_answers_out_adds_and_replaces_results(tmp_path: Path) -> None:
    path = tmp_path / "reponses.yaml"
    original = EXAMPLE.read_text(encoding="utf-8")
    path.write_text(original, encoding="utf-8")
    for label, secret in [("Messagerie", WEAK), ("Session", STRONG), ("Messagerie", STRONG)]:
        done = run("--stdin", "--label", label, "--answers-out", str(path), stdin=secret + "\n")
        assert done.returncode in (0, 1), done.stderr
        assert "password_tests" in done.stderr
    text = path.read_text(encoding="utf-8")
    # Every line written by hand is kept, comments included; only the block is added.
    assert text.startswith(original)
    assert WEAK not in text and STRONG not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    tests = load_answers(path, load_questionnaire()).password_tests
    assert [(t.label, t.score) for t in tests] == [("Session", 4), ("Messagerie", 4)]


def test_answers_out_refuses_an_invalid_file_and_leaves_it(tmp_path: Path) -> None:
    path = tmp_path / "reponses.yaml"
    path.write_text("q.acces.mdp_longueur: douze\n", encoding="utf-8")
    done = run("--stdin", "--answers-out", str(path), stdin=WEAK + "\n")
    assert done.returncode == 2
    assert "ligne 1" in done.stderr and "Traceback" not in done.stderr
    assert path.read_text(encoding="utf-8") == "q.acces.mdp_longueur: douze\n"


def test_bytes_that_are_not_text_on_stdin_give_one_line_not_a_traceback() -> None:
    done = subprocess.run(
        [EXE, "password", "--stdin"],
        input=b"caf\xe9\n",
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8:strict"},
        check=False,
    )
    assert done.returncode == 2
    assert b"Traceback" not in done.stderr and b"caf" not in done.stderr
    assert b"n'est pas un texte valide" in done.stderr
