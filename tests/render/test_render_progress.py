"""While the PDF is laid out (seconds), a terminal shows what is under way; a pipe gets nothing."""

import os
import subprocess
import sys
from pathlib import Path

import pexpect

from rgpd_audit.models import AuditResult
from rgpd_audit.render import Format, write_reports

EXE = str(Path(sys.executable).with_name("rgpd-audit"))


def _audit_json(result: AuditResult, folder: Path) -> Path:
    return write_reports(result, folder, [Format.JSON])[0].path


def test_steps_are_reported_in_order(result: AuditResult, tmp_path: Path) -> None:
    steps: list[str] = []
    write_reports(result, tmp_path, [Format.JSON, Format.HTML, Format.PDF], steps.append)
    assert steps == ["Rédaction du rapport", "Mise en page du rapport PDF"]


def test_a_terminal_sees_the_pdf_step(result: AuditResult, tmp_path: Path) -> None:
    audit = _audit_json(result, tmp_path / "audit")
    child = pexpect.spawn(
        EXE,
        ["render", str(audit), "--format", "pdf", "-o", str(tmp_path / "out")],
        encoding="utf-8",
        timeout=120,
        dimensions=(40, 160),
        env={**os.environ, "NO_COLOR": "1"},
    )
    child.expect_exact("Mise en page du rapport PDF")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert (tmp_path / "out" / "report.pdf").exists()


def test_a_pipe_gets_no_progress(result: AuditResult, tmp_path: Path) -> None:
    audit = _audit_json(result, tmp_path / "audit")
    done = subprocess.run(
        [EXE, "render", str(audit), "--format", "html", "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
