"""`report.pdf`: the HTML report laid out by WeasyPrint, with no network access at all.

WeasyPrint is imported inside the functions: it pulls in Pango, fontTools and friends, and
the CLI must start fast for `--help` and JSON-only runs.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import mimetypes
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from rgpd_audit.concurrency import import_lock
from rgpd_audit.files import write_private
from rgpd_audit.render.html import templates_dir

if TYPE_CHECKING:
    # Type names only; the real imports happen inside the functions below.
    from weasyprint import Document
    from weasyprint.urls import URLFetcher


def _no_library_search(name: str) -> str | None:
    # cffi then falls back on the dynamic loader's own lookup of the name it was given.
    return None


def load_weasyprint() -> None:
    """Import WeasyPrint, on Linux without the library search that costs it a fifth of a second.

    WeasyPrint loads Pango, HarfBuzz and fontconfig by trying several names for each library
    (MSYS2, then Linux, macOS and Windows spellings); cffi hands every name it cannot open
    directly to `ctypes.util.find_library`, which on Linux runs `ldconfig`, `gcc` and `ld`:
    some 200 processes at every PDF render. The Linux names (`libpango-1.0.so.0`) are in each
    list and the dynamic loader finds them by itself, from the same cache `ldconfig` reads,
    so the search is switched off for the time of this import (once per process; nothing else
    in the tool looks libraries up). Should a system need the search after all, the import is
    done again with it.

    Under the import lock (`import_modules`): a batch renders on several threads, and two
    threads switching the search off at once would leave it off for good, each putting back
    what it found (the other's stand-in).
    """
    with import_lock:
        _import_weasyprint()


def _import_weasyprint() -> None:
    if "weasyprint" in sys.modules:
        return
    if sys.platform.startswith("linux"):
        import ctypes.util

        search = ctypes.util.find_library
        ctypes.util.find_library = _no_library_search
        try:
            import weasyprint

            return
        except OSError:
            pass
        finally:
            ctypes.util.find_library = search
    import weasyprint  # noqa: F401


@functools.cache
def _report_html_class() -> Any:
    """WeasyPrint's `HTML` with a smaller user-agent style sheet.

    The stock sheet gives every element of the page (`::marker`, `::footnote-call`,
    `::footnote-marker`, `::note-call`, …) six pseudo-elements whose styles WeasyPrint computes
    one by one: 16 000 computed styles for the demo report, an eighth of its layout time and a
    sixth of the drawing. The report uses no footnotes or notes, and markers only on list
    items: the same sheet without those rules, markers kept for `li`, lays out the same pages.
    Should a later WeasyPrint no longer ask for its sheet this way, the stock sheet is used.
    """
    load_weasyprint()
    from weasyprint import CSS, HTML
    from weasyprint import html as stock
    from weasyprint.css.counters import CounterStyle

    lines = [
        line for line in stock.UA.splitlines() if not line.startswith(("::footnote-", "::note-"))
    ]
    ua = "\n".join("li" + line if line.startswith("::marker") else line for line in lines)
    # Its @counter-style rules are the stock ones, already known to the documents' counter
    # styles (a second definition in the same registry is refused with a warning).
    sheet = CSS(string=ua, counter_style=CounterStyle())

    class ReportHTML(HTML):  # type: ignore[misc]
        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            return [sheet, stock.UA_FORM_STYLESHEET] if forms else [sheet]

    return ReportHTML


class RefusedURLError(ValueError):
    """The report asked for a resource outside what it is allowed to load."""


def local_template_path(url: str, root: Path) -> Path:
    """Path of a `file:` URL if it names a regular file inside `root`, else raise.

    Only local paths are accepted: urllib would turn `file://host/…` into an FTP request.
    The path is resolved first so that `..` segments and symlinks cannot escape `root`.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        raise RefusedURLError(f"URL refusée : {url}")
    path = Path(url2pathname(unquote(parts.path))).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        raise RefusedURLError(f"URL refusée (hors des modèles du rapport) : {url}")
    return path


def safe_url_fetcher(root: Path | None = None) -> URLFetcher:
    """A WeasyPrint URL fetcher that only serves `data:` URLs and files inside `root`.

    `root` defaults to the report templates directory. Anything else (http, https, ftp,
    other local files) raises before any I/O, so hostile report content can neither probe
    the network nor embed local files into the PDF.
    """
    load_weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    allowed_root = (root or templates_dir()).resolve()

    # WeasyPrint ships no type information: to mypy its URLFetcher is Any.
    class SafeURLFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
            """Serve `url` if allowed, else raise `RefusedURLError` before any I/O."""
            scheme = url.split(":", 1)[0].lower() if ":" in url else ""
            if scheme == "data":
                # Handled in memory by urllib's DataHandler: no I/O involved.
                return super().fetch(url, headers)
            if scheme == "file":
                path = local_template_path(url, allowed_root)
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})
            raise RefusedURLError(f"URL refusée : {url}")

    return SafeURLFetcher(allowed_protocols=("data", "file"), allow_redirects=False)


def build_document(html: str) -> Document:
    """Lay `html` out into pages (exposed so tests can count them)."""
    html_class = _report_html_class()
    root = templates_dir()
    return html_class(string=html, base_url=str(root), url_fetcher=safe_url_fetcher(root)).render()


# Archivable (ISO 19005-3, level B): fonts embedded, colours in sRGB, XMP metadata, and the
# audit itself carried inside as an associated file, so that the PDF alone can be re-rendered.
PDF_VARIANT = "pdf/a-3b"
ATTACHMENT_NAME = "audit.json"


def pdf_bytes(html: str, audit_json: bytes | None = None) -> bytes:
    """The PDF/A-3b of `html`, with `audit_json` embedded as its source data when given."""
    with _without_cycle_collection():
        load_weasyprint()
        from weasyprint import Attachment

        attachments = []
        if audit_json is not None:
            attachments.append(
                Attachment(
                    string=audit_json,
                    name=ATTACHMENT_NAME,
                    description="Résultats de l'audit (format JSON), source de ce rapport",
                    url_fetcher=safe_url_fetcher(),
                    # The report is rendered from these data: PDF/A-3's "Source" relationship.
                    relationship="Source",
                )
            )
        pdf: bytes = build_document(html).write_pdf(
            pdf_variant=PDF_VARIANT, attachments=attachments, uncompressed_pdf=False
        )
        return pdf


@contextlib.contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused for the time of a layout.

    WeasyPrint builds hundreds of thousands of small objects (boxes, styles, text layouts)
    that all live until the PDF is written, and the collector walks them again and again as
    they pile up: 10 to 15 % of a render. Reference counting still frees all that is not in a
    cycle; the rest waits for the collector's next pass (a few megabytes at most: 2 MB for
    the demo, 9 for 800 findings). The caller's setting is restored, even if it had paused
    the collector itself.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def render_pdf(html: str, out: Path, audit_json: bytes | None = None) -> bytes:
    """Render `html` to the PDF file `out` (mode 0600, written atomically); return its bytes."""
    data = pdf_bytes(html, audit_json)
    write_private(out, data)
    return data
