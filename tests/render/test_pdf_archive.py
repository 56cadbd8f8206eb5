"""PDF/A-3b with audit.json inside: the PDF alone re-renders the report."""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rgpd_audit.audit_file import load_audit_result
from rgpd_audit.cli import app
from rgpd_audit.errors import InputError
from rgpd_audit.models import AuditResult
from rgpd_audit.render import Format, write_reports
from rgpd_audit.render.pdf_source import audit_json_from_pdf
from rgpd_audit.scoring import score, verdict


def _inflated_streams(pdf: bytes) -> bytes:
    """Every Flate stream of `pdf`, decompressed (object streams included)."""
    out = []
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            out.append(zlib.decompressobj().decompress(pdf[match.end() :]))
        except zlib.error:
            continue
    return b"\n".join(out)


def test_pdf_is_pdf_a3b_with_the_audit_as_source(result: AuditResult, tmp_path: Path) -> None:
    write_reports(result, tmp_path, [Format.PDF])
    pdf = (tmp_path / "report.pdf").read_bytes()
    content = pdf + _inflated_streams(pdf)
    assert b'pdfaid:part="3"' in content
    assert b'pdfaid:conformance="B"' in content
    assert b"/AFRelationship /Source" in content
    assert b"/OutputIntents" in content
    embedded = AuditResult.model_validate_json(audit_json_from_pdf(tmp_path / "report.pdf"))
    assert embedded == result


def test_render_report_pdf_round_trips(result: AuditResult, tmp_path: Path) -> None:
    # `render` recomputes scores and verdict from the findings (stored ones are not trusted):
    # start from an audit whose stored values are the computed ones, as a real run writes.
    result = result.model_copy(
        update={"scores": score(result.findings), "verdict": verdict(result.findings, True)}
    )
    first = tmp_path / "premier"
    write_reports(result, first, [Format.JSON, Format.PDF, Format.HTML])
    second = tmp_path / "second"
    done = CliRunner().invoke(
        app, ["render", str(first / "report.pdf"), "-o", str(second), "--format", "json,html"]
    )
    assert done.exit_code == 0, done.output
    again = AuditResult.model_validate_json((second / "audit.json").read_text())
    before = AuditResult.model_validate_json((first / "audit.json").read_text())
    assert again.model_copy(update={"deliverables": []}) == before.model_copy(
        update={"deliverables": []}
    )
    # Same audit, same report: the HTML re-rendered from the PDF is byte for byte the first.
    assert (second / "report.html").read_bytes() == (first / "report.html").read_bytes()
    assert "SHA-256" in done.output


def test_pdf_without_audit_is_refused_in_french(tmp_path: Path) -> None:
    foreign = tmp_path / "autre.pdf"
    foreign.write_bytes(b"%PDF-1.7\n%%EOF\n")
    with pytest.raises(InputError, match="ne contient pas de résultats d'audit"):
        load_audit_result(foreign)
    done = CliRunner().invoke(app, ["render", str(foreign)])
    assert done.exit_code == 2


def test_compressed_bomb_is_refused(tmp_path: Path) -> None:
    bomb = zlib.compress(b"{" + b" " * (80 * 1024 * 1024))
    pdf = (
        b"%PDF-1.7\n1 0 obj\n<< /Type /EmbeddedFile /Filter /FlateDecode /Length "
        + str(len(bomb)).encode()
        + b" >>\nstream\n"
        + bomb
        + b"\nendstream\nendobj\n%%EOF\n"
    )
    path = tmp_path / "bombe.pdf"
    path.write_bytes(pdf)
    with pytest.raises(InputError, match="trop volumineuse"):
        audit_json_from_pdf(path)
