"""`report.pdf`: the HTML report laid out by WeasyPrint, with no network access at all.

WeasyPrint is imported inside the functions: it pulls in Pango, fontTools and friends, and
the CLI must start fast for `--help` and JSON-only runs.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from rgpd_audit.files import write_private
from rgpd_audit.render.html import templates_dir

if TYPE_CHECKING:
    # Type names only; the real imports happen inside the functions below.
    from weasyprint import Document
    from weasyprint.urls import URLFetcher


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
    from weasyprint import HTML

    root = templates_dir()
    return HTML(string=html, base_url=str(root), url_fetcher=safe_url_fetcher(root)).render()


# Archivable (ISO 19005-3, level B): fonts embedded, colours in sRGB, XMP metadata, and the
# audit itself carried inside as an associated file, so that the PDF alone can be re-rendered.
PDF_VARIANT = "pdf/a-3b"
ATTACHMENT_NAME = "audit.json"


def pdf_bytes(html: str, audit_json: bytes | None = None) -> bytes:
    """The PDF/A-3b of `html`, with `audit_json` embedded as its source data when given."""
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


def render_pdf(html: str, out: Path, audit_json: bytes | None = None) -> bytes:
    """Render `html` to the PDF file `out` (mode 0600, written atomically); return its bytes."""
    data = pdf_bytes(html, audit_json)
    write_private(out, data)
    return data
