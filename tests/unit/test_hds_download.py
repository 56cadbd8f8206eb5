"""The list download against a real loopback HTTP server: size cap, progress, truncation."""

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rgpd_audit.hds.download import DownloadError, download

BODY = b"Nom;Activites\n" + b"Exemple;1\n" * 2000


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        if self.path == "/annonce":
            self.send_header("Content-Length", str(len(BODY)))
        elif self.path == "/tronque":
            self.send_header("Content-Length", str(len(BODY) + 100))
        # "/sans-longueur": no length, the body ends when the connection closes.
        self.end_headers()
        if self.path == "/goutte-a-goutte":
            # A byte now and then, each well within the per-read timeout.
            with contextlib.suppress(OSError):  # the client gives up first
                for _ in range(30):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.2)
            return
        self.wfile.write(BODY)

    def log_message(self, *args: object) -> None:
        """Keep the test output clean."""


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_progress_reports_received_and_total(base: str) -> None:
    seen: list[tuple[int, int | None]] = []
    data = download(
        f"{base}/annonce", timeout=5, deadline=30, progress=lambda r, t: seen.append((r, t))
    )
    assert data == BODY
    assert seen[-1] == (len(BODY), len(BODY))
    assert [r for r, _ in seen] == sorted(r for r, _ in seen)


def test_unannounced_length_is_read_to_the_end(base: str) -> None:
    seen: list[int | None] = []
    assert (
        download(
            f"{base}/sans-longueur", timeout=5, deadline=30, progress=lambda r, t: seen.append(t)
        )
        == BODY
    )
    assert set(seen) == {None}


@pytest.mark.parametrize("path", ["/annonce", "/sans-longueur"])
def test_size_cap(base: str, path: str) -> None:
    with pytest.raises(DownloadError, match="fichier trop volumineux"):
        download(f"{base}{path}", timeout=5, deadline=30, max_bytes=1024)


def test_truncated_body_is_refused(base: str) -> None:
    with pytest.raises(DownloadError, match="téléchargement incomplet"):
        download(f"{base}/tronque", timeout=5, deadline=30)


def test_trickling_server_is_cut_by_the_deadline(base: str) -> None:
    with pytest.raises(DownloadError, match="téléchargement trop long"):
        download(f"{base}/goutte-a-goutte", timeout=2, deadline=0.5)


def test_nothing_listening() -> None:
    with pytest.raises(DownloadError, match="connexion impossible"):
        download("http://127.0.0.1:9/liste.csv", timeout=2, deadline=5)
