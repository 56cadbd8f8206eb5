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

from rgpd_audit.render._files import write_private
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

    class SafeURLFetcher(URLFetcher):
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


def render_pdf(html: str, out: Path) -> None:
    """Render `html` to the PDF file `out` (mode 0600, written atomically)."""
    write_private(out, build_document(html).write_pdf())
