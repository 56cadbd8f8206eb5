"""Hostile audit.json given to render: bounded, all or nothing, scores recomputed (issue 16,
defects 3, 4 and 6)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from rgpd_audit.headline import headline
from rgpd_audit.models import AuditResult
from rgpd_audit.render import Format, replace_reports
from rgpd_audit.scoring import verdict

LONG = "a" * 300  # one path component longer than NAME_MAX (255)


def one_error_line(done: subprocess.CompletedProcess[str], *expected: str) -> str:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr and "Errno" not in done.stderr, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("Erreur : "), line
    for part in expected:
        assert part in line, line
    return line


def write_audit(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "audit.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def as_document(result: AuditResult) -> dict[str, Any]:
    return json.loads(result.model_dump_json())


def test_render_output_name_too_long(cli, tmp_path: Path, result: AuditResult) -> None:
    audit = write_audit(tmp_path, as_document(result))
    one_error_line(cli("render", str(audit), "-o", str(tmp_path / LONG)), "nom trop long")


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"])
def test_render_refuses_a_date_it_cannot_print(
    cli, tmp_path: Path, result: AuditResult, when: str
) -> None:
    document = as_document(result)
    document["started_at"] = when
    out = tmp_path / "rapport"
    done = cli("render", str(write_audit(tmp_path, document)), "-o", str(out))
    one_error_line(done, "started_at hors limites")
    assert not out.exists()


def test_render_refuses_a_huge_practice_name_at_once(
    cli, tmp_path: Path, result: AuditResult
) -> None:
    document = as_document(result)
    document["target"]["practice_name"] = "N" * 5_000_000
    out = tmp_path / "rapport"
    done = cli("render", str(write_audit(tmp_path, document)), "-o", str(out), timeout=30)
    one_error_line(done, "nom du cabinet", "de plus de 200 caractères")
    assert not out.exists()


def test_render_refuses_an_oversized_audit_json(cli, tmp_path: Path, result: AuditResult) -> None:
    document = as_document(result)
    document["findings"] = document["findings"] * 3000
    out = tmp_path / "rapport"
    done = cli("render", str(write_audit(tmp_path, document)), "-o", str(out), timeout=60)
    one_error_line(done, "audit.json", "trop volumineux")
    assert not out.exists()


def test_render_refuses_too_many_findings(cli, tmp_path: Path, result: AuditResult) -> None:
    document = as_document(result)
    [first, *_] = document["findings"]
    document["findings"] = [first] * 2500
    out = tmp_path / "rapport"
    done = cli("render", str(write_audit(tmp_path, document)), "-o", str(out), timeout=60)
    one_error_line(done, "plus de 2000 constats")


def test_render_is_all_or_nothing(tmp_path: Path, result: AuditResult) -> None:
    out = tmp_path / "rapport"
    out.mkdir()
    (out / "report.html").write_text("ancien rapport", encoding="utf-8")
    (out / "report.pdf").write_bytes(b"%PDF ancien")

    def interrupt_at_pdf(step: str) -> None:
        if "PDF" in step:
            raise KeyboardInterrupt  # what Ctrl-C during the layout does

    with pytest.raises(KeyboardInterrupt):
        replace_reports(result, out, [Format.HTML, Format.PDF], interrupt_at_pdf)
    assert (out / "report.html").read_text(encoding="utf-8") == "ancien rapport"
    assert (out / "report.pdf").read_bytes() == b"%PDF ancien"
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.pdf"]
    written = replace_reports(result, out, [Format.HTML, Format.PDF])
    assert {item.format for item in written} == {Format.HTML, Format.PDF}
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF-")
    assert "ancien rapport" not in (out / "report.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.pdf"]


@pytest.mark.parametrize(("value", "grade"), [(10**30, "A"), (-5, "Z"), (50, "A+++")])
def test_render_recomputes_stored_scores_and_verdict(
    cli, tmp_path: Path, result: AuditResult, value: int, grade: str
) -> None:
    document = as_document(result)
    document["scores"]["overall"]["score"] = value
    document["scores"]["overall"]["grade"] = grade
    document["verdict"].update(grade=grade, security_score=value, unmet_obligations=-1)
    out = tmp_path / "rapport"
    done = cli("render", str(write_audit(tmp_path, document)), "-o", str(out), "--format", "html")
    assert done.returncode == 0, done.stderr
    expected = verdict(result.findings, answered=True)
    assert expected.security_score is not None and 0 <= expected.security_score <= 100
    assert (expected.security_score, expected.grade) != (value, grade)
    assert done.stdout.startswith(headline(expected))
    html = (out / "report.html").read_text(encoding="utf-8")
    assert str(10**30) not in html and "A+++" not in html
