"""The real CLI, in a subprocess, against the lab: what a user types and gets."""

import contextlib
import json
import os
import queue
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from rgpd_audit.lab import Lab
from rgpd_audit.lab.scenarios import HOSTS
from rgpd_audit.models import AuditResult, Status
from tests.conftest import interrupt_another_thread

# The console script installed beside the interpreter running the tests (.venv/bin), even
# when the virtual environment is not activated; another rgpd-audit on PATH is never used.
EXE = str(Path(sys.executable).with_name("rgpd-audit"))


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def load(out: Path) -> AuditResult:
    return AuditResult.model_validate_json((out / "audit.json").read_text())


def test_demo_writes_three_private_files(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    done = cli("demo", "--output", str(out))
    assert done.returncode == 0, done.stderr
    for name in ("audit.json", "report.html", "report.pdf"):
        path = out / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert str(path) in done.stdout
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")
    result = load(out)
    assert result.target.domain == "cabinet-exemple.fr"
    sources = {f.source for f in result.findings}
    assert sources == {"check", "questionnaire"}
    assert result.answers and result.scores and result.scores.overall.score is not None
    assert "Traceback" not in done.stderr


def test_run_against_the_lab_scores_a_well_configured_practice(
    tmp_path: Path, lab: Lab, lab_args: list[str]
) -> None:
    done = cli(
        "run",
        "--domain",
        "cabinet-conforme.fr",
        *lab_args,
        "--format",
        "json",
        "--output",
        str(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    result = load(tmp_path)
    assert {f.status for f in result.findings} == {Status.PASS, Status.NOT_APPLICABLE}
    assert result.scores.overall.score == 100
    assert not (tmp_path / "report.pdf").exists()


def test_unreachable_server_does_not_lower_the_score(
    tmp_path: Path, lab: Lab, lab_args: list[str]
) -> None:
    done = cli(
        "run",
        "--domain",
        "mx-muet.fr",
        *lab_args,
        # The checks that need the (silent) server; the domain publishes nothing else.
        "--only",
        "mail.mx.present",
        "--only",
        "mail.starttls.offered",
        "--only",
        "mail.tls.*",
        "--timeout",
        "1",
        "--format",
        "json",
        "-o",
        str(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    overall = load(tmp_path).scores.overall
    assert overall.score == 100 and overall.coverage < 100


def test_outside_data_is_escaped_in_the_html_report(
    tmp_path: Path, lab: Lab, lab_args: list[str]
) -> None:
    done = cli(
        "run",
        "--domain",
        "injection.fr",
        "--name",
        "<b>Cabinet</b>",
        *lab_args,
        "--format",
        "json,html",
        # Every piece of evidence printed, so that every hostile value goes through escaping.
        "--annexes",
        "complet",
        "-o",
        str(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "report.html").read_text()
    assert "<script>alert" not in html and "<b>Cabinet</b>" not in html
    assert "&lt;script&gt;alert" in html and "&lt;b&gt;Cabinet&lt;/b&gt;" in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--domain", "https://cabinet.fr"], "n'est pas un nom de domaine"),
        (["run", "--domain", "cabinet.fr", "--only", "mail.inconnu"], "--only mail.inconnu"),
        (["run", "--domain", "cabinet.fr", "--format", "docx"], "formats possibles"),
        (["run", "--domain", "cabinet.fr", "--nameserver", "dns.exemple"], "adresse IP attendue"),
        (["run", "--domain", "cabinet.fr", "--answers", "/nulle/part.yaml"], "part.yaml"),
        (["run", "--domain", "cabinet.fr", "--ca-file", "/nulle/ca.pem"], "--ca-file"),
    ],
)
def test_bad_input_gives_one_french_line_and_exit_2(args: list[str], message: str) -> None:
    done = cli(*args)
    assert done.returncode == 2
    assert message in done.stderr
    # Exactly one line: no library warning (in English) before or after it.
    assert done.stderr.startswith("Erreur : ") and done.stderr.count("\n") == 1, done.stderr


def test_quiet_audit_reading_certificates_prints_nothing_at_all(
    tmp_path: Path, lab: Lab, lab_args: list[str]
) -> None:
    # Reading the MX certificates and importing the DNSSEC code used to print the
    # libraries' deprecation warnings (cryptography's DSA) with today's versions.
    done = cli(
        "run", "--domain", "cabinet-conforme.fr", *lab_args, "--format", "json",
        "-o", str(tmp_path), "--quiet",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and done.stdout == ""
    assert load(tmp_path).findings


def test_invalid_answers_file_names_line_and_field(tmp_path: Path) -> None:
    answers = tmp_path / "reponses.yaml"
    answers.write_text("q.communication.inconnue: oui\n")
    done = cli("run", "--domain", "cabinet.fr", "--answers", str(answers))
    assert done.returncode == 2
    assert "reponses.yaml" in done.stderr and "q.communication.inconnue" in done.stderr
    assert "ligne 1" in done.stderr


def test_fail_under_exits_1_when_the_score_is_lower(
    tmp_path: Path, lab: Lab, lab_args: list[str]
) -> None:
    done = cli(
        "run",
        "--domain",
        "sans-starttls.fr",
        *lab_args,
        "--format",
        "json",
        "--fail-under",
        "90",
        "-o",
        str(tmp_path),
        "--quiet",
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert "inférieure au seuil 90" in done.stderr


def tcp_clients_of(address: str, port: int) -> set[str]:
    """Local ends of the established TCP connections to address:port on this machine, read
    from the kernel's table (Linux, like the lab)."""
    # /proc/net/tcp writes an IPv4 address as the hex of its bytes in host (little-endian)
    # order: 127.0.0.19 is 1300007F.
    wanted = f"{socket.inet_aton(address)[::-1].hex().upper()}:{port:04X}"
    with open("/proc/net/tcp", encoding="ascii") as table:
        rows = [line.split() for line in table.readlines()[1:]]
    return {row[1] for row in rows if row[2] == wanted and row[3] == "01"}  # 01: ESTABLISHED


@pytest.mark.parametrize("delivered_to", ["main", "worker"])
def test_ctrl_c_saves_partial_results(
    tmp_path: Path, lab: Lab, lab_args: list[str], delivered_to: str
) -> None:
    [mute] = [host.address for host in HOSTS if host.hostname == "mx.mx-muet.fr"]
    # A connection an earlier test of this worker left on the mute server is not the audit's.
    earlier = tcp_clients_of(mute, lab.smtp_port)
    command = [EXE, "run", "--domain", "mx-muet.fr", *lab_args, "--timeout", "30"]
    process = subprocess.Popen(
        [*command, "--format", "json", "-o", str(tmp_path), "--verbose"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    # --verbose prints each finding on stderr as it comes: read on a thread, so that the
    # wait below sees a passing finding arrive instead of guessing with a fixed sleep.
    lines: queue.SimpleQueue[str] = queue.SimpleQueue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stderr or ()])
    reader.start()
    seen: list[str] = []
    deadline = time.monotonic() + 60
    # Interrupted once the engine is blocked on the mute server (seen in the kernel's
    # connection table) and a check that needs no SMTP server has passed.
    while not (
        tcp_clients_of(mute, lab.smtp_port) - earlier
        and any(line.startswith("conforme ") for line in seen)
    ):
        assert process.poll() is None, "".join(seen)
        assert time.monotonic() < deadline, "pas d'audit bloqué sur le serveur muet en 60 s"
        with contextlib.suppress(queue.Empty):
            seen.append(lines.get(timeout=0.05))
    if delivered_to == "main":
        process.send_signal(signal.SIGINT)
    else:
        interrupt_another_thread(process.pid)
    process.wait(timeout=60)
    reader.join(timeout=10)
    while not lines.empty():
        seen.append(lines.get())
    stderr = "".join(seen)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    result = load(tmp_path)
    assert result.complete is False
    interrupted = [f for f in result.findings if f.error and f.error.reason == "interrupted"]
    assert interrupted
    assert any(f.status is Status.PASS for f in result.findings)


def test_checks_list_and_schema() -> None:
    listed = cli("checks", "list")
    assert listed.returncode == 0
    for check_id in (
        "mail.mx.present",
        "mail.starttls.offered",
        "mail.tls.certificate",
        "mail.provider.consumer",
    ):
        assert check_id in listed.stdout
    as_json = json.loads(cli("checks", "list", "--json").stdout)
    assert {c["severity"] for c in as_json} <= {"info", "low", "medium", "high", "critical"}
    schema = json.loads(cli("schema").stdout)
    assert "findings" in schema["properties"]


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from rgpd_audit.cli import app\n"
        "CliRunner().invoke(app, ['--help'])\n"
        "heavy = {'weasyprint', 'dns', 'cryptography', 'aiosmtpd', 'jinja2', 'pydantic',"
        " 'sqlalchemy', 'alembic', 'psycopg'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_ca_file_that_is_not_pem_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "ca.pem"
    bad.write_bytes(b"\x00\x01 pas un certificat")
    done = cli("run", "--domain", "cabinet.fr", "--ca-file", str(bad))
    assert done.returncode == 2
    assert "certificats PEM illisibles" in done.stderr


def test_deadline_ends_the_process_even_with_a_silent_server(
    tmp_path: Path, lab: Lab, lab_args: list[str]
) -> None:
    # The per-operation timeout (60 s) is longer than the subprocess may live: only the
    # overall deadline can end this run, and the process must then exit, not wait for threads.
    args = [a if a != "2" else "60" for a in lab_args]
    done = subprocess.run(
        [
            EXE,
            "run",
            "--domain",
            "mx-muet.fr",
            *args,
            "--deadline",
            "2",
            "--format",
            "json",
            "-o",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    result = load(tmp_path)
    starttls = [f for f in result.findings if f.check_id == "mail.starttls.offered"]
    assert starttls[0].error is not None and starttls[0].error.reason == "timeout"


def test_profile_is_shown_in_words(tmp_path: Path, lab: Lab, lab_args: list[str]) -> None:
    done = cli(
        "run",
        "--domain",
        "cabinet-conforme.fr",
        "--profile",
        "paramedical",
        *lab_args,
        "--format",
        "json",
        "-o",
        str(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    result = load(tmp_path)
    assert result.target.profile == "paramedical"
    assert result.profile_label and result.profile_label != "paramedical"


def test_render_rebuilds_the_report_from_audit_json(tmp_path: Path) -> None:
    first = tmp_path / "audit"
    assert cli("demo", "--format", "json", "-o", str(first), "--quiet").returncode == 0
    again = tmp_path / "again"
    done = cli("render", str(first / "audit.json"), "--format", "html", "-o", str(again))
    assert done.returncode == 0, done.stderr
    html = (again / "report.html").read_text()
    assert "cabinet-exemple.fr" in html and "Synthèse" in html
    assert stat.S_IMODE((again / "report.html").stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ('{"x": 1}', "(champ tool_version)"),
        (
            '{\n  "tool_version": "1.0",\n  "target": {"domain"',
            "(JSON illisible ligne 3, colonne 21)",
        ),
        ("pas du json", "(JSON illisible ligne 1, colonne 1)"),
        ("", "(JSON illisible ligne 1, colonne 0)"),
    ],
)
def test_render_refuses_what_is_not_an_audit(tmp_path: Path, content: str, where: str) -> None:
    bad = tmp_path / "audit.json"
    bad.write_text(content)
    done = cli("render", str(bad))
    assert done.returncode == 2 and "audit.json" in done.stderr
    assert "Traceback" not in done.stderr
    # Where the file goes wrong: the field, or the line and column of broken JSON.
    assert done.stderr.strip().endswith(f"n'est pas un audit.json valide {where}"), done.stderr


def test_lab_command_serves_until_ctrl_c(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [EXE, "lab"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(2)]
        options = lines[1].split()
        assert options[0] == "--nameserver", lines
        done = cli(
            "run",
            "--domain",
            "cabinet-conforme.fr",
            *options,
            "--format",
            "json",
            "-o",
            str(tmp_path),
        )
        assert done.returncode == 0, done.stderr
        assert load(tmp_path).scores.overall.score == 100
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=20)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr


def test_lab_stopped_by_sigterm_removes_its_keys() -> None:
    process = subprocess.Popen(
        [EXE, "lab"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        options = [process.stdout.readline() for _ in range(2)][1].split()
        lab_dir = Path(options[options.index("--ca-file") + 1]).parent
        assert lab_dir.is_dir()
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    assert process.returncode == 0, stderr
    assert not lab_dir.exists()
