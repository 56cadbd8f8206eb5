"""Report renderers: `audit.json`, `report.html` and `report.pdf`."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from enum import StrEnum
from pathlib import Path

from rgpd_audit.models import AuditResult
from rgpd_audit.render._files import ensure_private_dir, write_private
from rgpd_audit.render.html import render_html
from rgpd_audit.render.json import render_json
from rgpd_audit.render.pdf import render_pdf

__all__ = [
    "FILE_NAMES",
    "Format",
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


FILE_NAMES: dict[Format, str] = {
    Format.JSON: "audit.json",
    Format.HTML: "report.html",
    Format.PDF: "report.pdf",
}


def write_reports(
    result: AuditResult,
    out_dir: Path,
    formats: Iterable[Format],
    on_step: Callable[[str], None] | None = None,
) -> dict[Format, Path]:
    """Write the requested reports of `result` into `out_dir`; return their paths.

    `out_dir` is created (mode 0700) if missing. Every file is mode 0600 and replaced
    atomically, so an interrupted run never leaves a truncated or world-readable report.
    JSON is written first: it is the cheapest and lets the others be re-rendered later.
    `on_step` is told, in French, what is being written (for a progress display).
    """
    step = on_step or (lambda _text: None)
    wanted = {Format(fmt) for fmt in formats}
    ensure_private_dir(out_dir)
    written: dict[Format, Path] = {}
    if Format.JSON in wanted:
        path = out_dir / FILE_NAMES[Format.JSON]
        write_private(path, render_json(result).encode("utf-8"))
        written[Format.JSON] = path
    if wanted & {Format.HTML, Format.PDF}:
        step("Rédaction du rapport")
        html = render_html(result)
        if Format.HTML in wanted:
            path = out_dir / FILE_NAMES[Format.HTML]
            write_private(path, html.encode("utf-8"))
            written[Format.HTML] = path
        if Format.PDF in wanted:
            step("Mise en page du rapport PDF")
            path = out_dir / FILE_NAMES[Format.PDF]
            render_pdf(html, path)
            written[Format.PDF] = path
    return written


def replace_reports(
    result: AuditResult,
    out_dir: Path,
    formats: Iterable[Format],
    on_step: Callable[[str], None] | None = None,
) -> dict[Format, Path]:
    """Like `write_reports`, all or nothing: every report is first written to a private
    folder inside `out_dir`, and moved in only once all of them are complete.

    A failure or an interruption while rendering leaves `out_dir` as it was, never a new
    HTML report beside the PDF of another audit.
    """
    ensure_private_dir(out_dir)
    # mkdtemp: mode 0700, in the same file system so that each move is a rename.
    staging = Path(tempfile.mkdtemp(prefix=".rgpd-audit-", dir=out_dir))
    try:
        written = write_reports(result, staging, formats, on_step)
        final: dict[Format, Path] = {}
        for fmt, path in written.items():
            target = out_dir / path.name
            os.replace(path, target)
            final[fmt] = target
        return final
    finally:
        shutil.rmtree(staging, ignore_errors=True)
