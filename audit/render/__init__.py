"""Report renderers: `audit.json`, `report.html`, `report.pdf`, `report.xlsx` and CSV files."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from rgpd_audit.files import ensure_private_dir, write_private
from rgpd_audit.models import AuditResult, Consultant, FileDigest
from rgpd_audit.render.html import Annexes, render_html
from rgpd_audit.render.json import render_json
from rgpd_audit.render.pdf import render_pdf

__all__ = [
    "FILE_NAMES",
    "Annexes",
    "Format",
    "WrittenFile",
    "render_html",
    "render_json",
    "render_pdf",
    "replace_reports",
    "write_reports",
]


class Format(StrEnum):
    """Output formats of `write_reports`."""

    JSON = "json"
    HTML = "html"
    PDF = "pdf"
    XLSX = "xlsx"
    CSV = "csv"


FILE_NAMES: dict[Format, str] = {
    Format.JSON: "audit.json",
    Format.HTML: "report.html",
    Format.PDF: "report.pdf",
    Format.XLSX: "report.xlsx",
}


@dataclass(frozen=True)
class WrittenFile:
    """A file written for the client, with the SHA-256 of its content."""

    format: Format
    path: Path
    sha256: str


def _write(fmt: Format, path: Path, data: bytes) -> WrittenFile:
    write_private(path, data)
    return WrittenFile(fmt, path, hashlib.sha256(data).hexdigest())


def write_reports(
    result: AuditResult,
    out_dir: Path,
    formats: Iterable[Format],
    on_step: Callable[[str], None] | None = None,
    *,
    annexes: Annexes = Annexes.COMPACT,
    consultant: Consultant | None = None,
) -> list[WrittenFile]:
    """Write the requested reports of `result` into `out_dir`; return them with their digests.

    `out_dir` is created (mode 0700) if missing. Every file is mode 0600 and replaced
    atomically, so an interrupted run never leaves a truncated or world-readable report.
    JSON is written first: it is the cheapest and lets the others be re-rendered later. Once
    the others are written, audit.json is written again with their SHA-256 (`deliverables`):
    a file cannot hold its own digest, so audit.json's own is only returned (and printed).
    The PDF carries the first audit.json (without digests) as its embedded source.
    `on_step` is told, in French, what is being written (for a progress display).
    """
    step = on_step or (lambda _text: None)
    wanted = {Format(fmt) for fmt in formats}
    ensure_private_dir(out_dir)
    source = result.model_copy(update={"consultant": consultant or result.consultant})
    source = source.model_copy(update={"deliverables": []})
    source_json = render_json(source).encode("utf-8")
    written: list[WrittenFile] = []
    if Format.JSON in wanted:
        written.append(_write(Format.JSON, out_dir / FILE_NAMES[Format.JSON], source_json))
    if wanted & {Format.HTML, Format.PDF}:
        step("Rédaction du rapport")
        html = render_html(source, annexes=annexes)
        if Format.HTML in wanted:
            written.append(_write(Format.HTML, out_dir / FILE_NAMES[Format.HTML], html.encode()))
        if Format.PDF in wanted:
            step("Mise en page du rapport PDF")
            path = out_dir / FILE_NAMES[Format.PDF]
            data = render_pdf(html, path, source_json)
            written.append(WrittenFile(Format.PDF, path, hashlib.sha256(data).hexdigest()))
    if wanted & {Format.XLSX, Format.CSV}:
        from rgpd_audit.render.spreadsheet import csv_files, xlsx_bytes

        step("Export du plan d'action et des constats")
        if Format.XLSX in wanted:
            path = out_dir / FILE_NAMES[Format.XLSX]
            written.append(_write(Format.XLSX, path, xlsx_bytes(source)))
        if Format.CSV in wanted:
            for name, data in csv_files(source).items():
                written.append(_write(Format.CSV, out_dir / name, data))
    others = [w for w in written if w.format is not Format.JSON]
    if Format.JSON in wanted and others:
        digests = [
            FileDigest(name=w.path.name, sha256=w.sha256, size=w.path.stat().st_size)
            for w in others
        ]
        final = render_json(source.model_copy(update={"deliverables": digests}))
        written[0] = _write(Format.JSON, out_dir / FILE_NAMES[Format.JSON], final.encode())
    return written


def replace_reports(
    result: AuditResult,
    out_dir: Path,
    formats: Iterable[Format],
    on_step: Callable[[str], None] | None = None,
    *,
    annexes: Annexes = Annexes.COMPACT,
    consultant: Consultant | None = None,
) -> list[WrittenFile]:
    """Like `write_reports`, all or nothing: every report is first written to a private
    folder inside `out_dir`, and moved in only once all of them are complete.

    A failure or an interruption while rendering leaves `out_dir` as it was, never a new
    HTML report beside the PDF of another audit.
    """
    ensure_private_dir(out_dir)
    # mkdtemp: mode 0700, in the same file system so that each move is a rename.
    staging = Path(tempfile.mkdtemp(prefix=".rgpd-audit-", dir=out_dir))
    try:
        written = write_reports(
            result, staging, formats, on_step, annexes=annexes, consultant=consultant
        )
        final: list[WrittenFile] = []
        for item in written:
            target = out_dir / item.path.name
            os.replace(item.path, target)
            final.append(WrittenFile(item.format, target, item.sha256))
        return final
    finally:
        shutil.rmtree(staging, ignore_errors=True)
