"""PDF output, and the guarantee that rendering never touches the network or local files."""

from __future__ import annotations

import gc
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rgpd_audit.models import AuditResult, Evidence
from rgpd_audit.render import pdf as pdf_module
from rgpd_audit.render import render_html, render_pdf
from rgpd_audit.render.html import templates_dir
from rgpd_audit.render.pdf import RefusedURLError, build_document, safe_url_fetcher
from tests.render.conftest import LONG_CONSULTANT

MakeResult = Callable[..., AuditResult]
A4_WIDTH_PX = 210 / 25.4 * 96


class _CountingServer(ThreadingHTTPServer):
    """Counts TCP connections, not just well-formed requests (an HTTPS attempt counts too)."""

    connections = 0

    def process_request(self, request: object, client_address: object) -> None:
        type(self).connections += 1
        super().process_request(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[tuple[str, type[_CountingServer]]]:
    """A loopback HTTP server; yields its base URL and the class holding the counter."""
    server_class = type("Server", (_CountingServer,), {"connections": 0})
    server = server_class(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server_class
    finally:
        server.shutdown()
        server.server_close()


def test_report_has_several_pages(result: AuditResult) -> None:
    document = build_document(render_html(result))
    assert len(document.pages) >= 3


def test_render_pdf_writes_private_pdf(result: AuditResult, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    render_pdf(render_html(result), out)
    assert out.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_server_is_reachable_by_the_test_itself(
    http_server: tuple[str, type[_CountingServer]],
) -> None:
    """Control for the tests below: a zero count must not be due to a dead server."""
    import urllib.request

    base, server = http_server
    with urllib.request.urlopen(f"{base}/control", timeout=5):
        pass
    assert server.connections == 1


def test_default_weasyprint_fetcher_would_request(
    http_server: tuple[str, type[_CountingServer]],
) -> None:
    """Control: WeasyPrint's own fetcher does fetch such an image, so zero is meaningful."""
    from weasyprint import HTML

    base, server = http_server
    HTML(string=f'<img src="{base}/x.png">').render()
    assert server.connections >= 1


def test_hostile_report_content_makes_no_request(
    make_result: MakeResult,
    result: AuditResult,
    http_server: tuple[str, type[_CountingServer]],
    tmp_path: Path,
) -> None:
    base, server = http_server
    payload = f'<img src="{base}/x"><link rel="stylesheet" href="{base}/y.css">'
    finding = result.findings[0].model_copy(
        update={
            "summary": payload,
            "evidence": [Evidence(label="Bannière SMTP", value=payload)],
        }
    )
    hostile = make_result(
        findings=[finding, *result.findings[1:]],
        target=result.target.model_copy(update={"practice_name": payload}),
    )
    render_pdf(render_html(hostile), tmp_path / "report.pdf")
    assert server.connections == 0


def test_fetcher_blocks_remote_resources_in_raw_html(
    http_server: tuple[str, type[_CountingServer]], tmp_path: Path
) -> None:
    """Even markup that escaped the templates cannot reach the network."""
    base, server = http_server
    https_base = base.replace("http://", "https://")
    html = f"""<html><head>
    <link rel="stylesheet" href="{base}/a.css">
    <style>@import url("{base}/b.css"); body {{ background: url("{base}/c.png"); }}</style>
    </head><body>
    <img src="{base}/d.png"><img src="{https_base}/e.png">
    <object data="{base}/f.svg"></object><embed src="{base}/g.svg">
    <a rel="attachment" href="{base}/h.txt">pièce jointe</a>
    <img src="file:///etc/passwd"><img src="../../../../../../etc/passwd">
    </body></html>"""
    render_pdf(html, tmp_path / "raw.pdf")
    assert server.connections == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "https://example.org/x.css",
        "ftp://example.org/x",
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file://example.org/etc/passwd",
        "gopher://example.org/",
        "relative/path.css",
    ],
)
def test_fetcher_refuses(url: str) -> None:
    with pytest.raises(RefusedURLError):
        safe_url_fetcher().fetch(url)


def test_fetcher_refuses_dot_dot_escape_and_directories() -> None:
    root = templates_dir()
    escape = f"file://{root}/partials/../../../../../../etc/passwd"
    with pytest.raises(RefusedURLError):
        safe_url_fetcher().fetch(escape)
    with pytest.raises(RefusedURLError):
        safe_url_fetcher().fetch(root.as_uri())


def test_fetcher_refuses_symlink_out_of_root(tmp_path: Path) -> None:
    root = tmp_path / "templates"
    root.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (root / "link.txt").symlink_to(secret)
    with pytest.raises(RefusedURLError):
        safe_url_fetcher(root).fetch((root / "link.txt").as_uri())


def test_fetcher_serves_templates_and_data_urls() -> None:
    css = templates_dir() / "report.css"
    response = safe_url_fetcher().fetch(css.as_uri())
    assert response.read() == css.read_bytes()
    assert response.content_type == "text/css"
    assert safe_url_fetcher().fetch("data:text/plain,bonjour").read() == b"bonjour"


def _page_width(html: str) -> float:
    return build_document(html).pages[0].width


def test_local_file_outside_templates_is_not_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rendering-level check: the stylesheet applies inside the root, not outside it."""
    root = tmp_path / "templates"
    root.mkdir()
    css = "@page { size: 100mm 100mm; }"
    (root / "inside.css").write_text(css)
    (tmp_path / "outside.css").write_text(css)
    monkeypatch.setattr(pdf_module, "templates_dir", lambda: root)

    inside = _page_width('<link rel="stylesheet" href="inside.css"><p>x</p>')
    outside = _page_width(
        f'<link rel="stylesheet" href="{(tmp_path / "outside.css").as_uri()}"><p>x</p>'
    )
    escaped = _page_width('<link rel="stylesheet" href="../outside.css"><p>x</p>')
    assert inside == pytest.approx(100 / 25.4 * 96)
    assert outside == pytest.approx(A4_WIDTH_PX)
    assert escaped == pytest.approx(A4_WIDTH_PX)


def test_weasyprint_is_imported_lazily() -> None:
    code = (
        "import sys, rgpd_audit.render, rgpd_audit.render.pdf;"
        "assert 'weasyprint' not in sys.modules, 'weasyprint imported at start-up'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_weasyprint_loads_without_starting_a_process() -> None:
    # ctypes' library search runs ldconfig, gcc and ld (some 200 processes per render);
    # the children's page faults would show them. The search is put back afterwards.
    code = (
        "import ctypes.util, resource;"
        "from rgpd_audit.render.pdf import load_weasyprint; load_weasyprint();"
        "import weasyprint;"
        "children = resource.getrusage(resource.RUSAGE_CHILDREN);"
        "assert children.ru_minflt == 0, children;"
        "assert ctypes.util.find_library.__module__ == 'ctypes.util'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _text_boxes(document: object) -> list[list[tuple[str, int, int]]]:
    """Every page's text, with where each piece sits (to the pixel)."""
    pages = []
    for page in document.pages:  # type: ignore[attr-defined]
        found: list[tuple[str, int, int]] = []
        boxes = [page._page_box]
        while boxes:
            box = boxes.pop()
            if hasattr(box, "text"):
                found.append((box.text, round(box.position_x), round(box.position_y)))
            boxes.extend(getattr(box, "children", None) or [])
        pages.append(sorted(found))
    return pages


def test_smaller_user_agent_sheet_lays_out_the_same_pages(result: AuditResult) -> None:
    # The report's sheet drops WeasyPrint's footnote and note rules and keeps list markers
    # for list items only: the same text at the same places, list numbers included.
    from weasyprint import HTML

    html = render_html(result)
    assert "<ol" in html
    root = templates_dir()
    stock = HTML(string=html, base_url=str(root), url_fetcher=safe_url_fetcher(root)).render()
    ours = _text_boxes(build_document(html))
    assert ours == _text_boxes(stock)
    assert any(text == "1. " for page in ours for text, _, _ in page)


def test_layout_runs_without_cycle_collections_and_restores_the_collector() -> None:
    collections: list[str] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(phase)

    html = "".join(f"<p>Paragraphe {n}</p>" for n in range(200))
    pdf_module.pdf_bytes(html)  # WeasyPrint loaded and its sheets parsed beforehand
    gc.callbacks.append(seen)
    try:
        build_document(html).write_pdf()
        unpaused = len(collections)
        collections.clear()
        assert pdf_module.pdf_bytes(html).startswith(b"%PDF-")
        # At most the pass that the first allocation after the render may start.
        assert len(collections) <= 1 < unpaused
        assert gc.isenabled()
        gc.disable()
        try:
            pdf_module.pdf_bytes(html)
            assert not gc.isenabled()  # a caller's own pause is kept
        finally:
            gc.enable()
    finally:
        gc.callbacks.remove(seen)


def _page_of(pages: list[list[tuple[str, int, int]]], text: str) -> int:
    found = [number for number, page in enumerate(pages) if any(t == text for t, _, _ in page)]
    assert len(found) == 1, (text, found)
    return found[0]


@pytest.mark.parametrize("long_identity", [False, True])
def test_signature_is_never_alone_on_a_page(result: AuditResult, long_identity: bool) -> None:
    # A consultant with a title, a firm and a full contact line fills the method's page: the
    # limits then go on with the signature, so that no page holds the signature alone.
    if long_identity:
        result = result.model_copy(update={"consultant": LONG_CONSULTANT})
    pages = _text_boxes(build_document(render_html(result)))
    limits, signature = _page_of(pages, "Limites"), _page_of(pages, "ÉTABLI PAR")
    assert signature == limits
    method = _page_of(pages, "Méthode de notation")
    assert signature - method == (1 if long_identity else 0)


def _to_unicode_entries(pdf: bytes) -> list[str]:
    """The text each glyph of the PDF's fonts stands for, from their ToUnicode maps."""
    import re
    import zlib

    entries = []
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            data = zlib.decompress(raw)
        except zlib.error:
            continue
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
            for target in re.findall(rb"<[0-9a-fA-F]+>\s*<([0-9a-fA-F]*)>", block):
                entries.append(bytes.fromhex(target.decode()).decode("utf-16-be"))
    return entries


def test_long_running_header_and_footer_keep_the_pdf_text_searchable(
    result: AuditResult,
) -> None:
    # The practice's name heads every page and the firm signs every foot; both are cut to
    # one line. A text-overflow ellipsis made the « … » glyph stand, in the PDF's text layer,
    # for all the hidden words: every « … » of the report then copied as those words.
    from rgpd_audit.models import Consultant

    long_name = "Cabinet de kinésithérapie et de rééducation fonctionnelle " * 3
    target = result.target.model_copy(update={"practice_name": long_name.strip()})
    firm = "Société d'expertise en protection des données de santé " * 3
    result = result.model_copy(
        update={"target": target, "consultant": Consultant(firm=firm.strip())}
    )
    entries = _to_unicode_entries(pdf_module.pdf_bytes(render_html(result)))
    assert "…" in entries
    assert max(len(text) for text in entries) <= 3, [t for t in entries if len(t) > 3][:3]
