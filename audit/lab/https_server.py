"""HTTPS servers of the lab: the `mta-sts.<domain>` hosts serving MTA-STS policy files.

One server per loopback address, all on one shared high port like the SMTP servers, each
presenting a certificate from the lab PKI (or a deliberately bad one) for its host name.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from rgpd_audit.lab.pki import CertKind, LabPki
from rgpd_audit.lab.service import LabService
from rgpd_audit.lab.smtp_servers import bind_common_port

POLICY_PATH = "/.well-known/mta-sts.txt"
#: Seconds a lab client may take to finish its TLS handshake and request.
CLIENT_TIMEOUT = 10.0
#: How often each server loop checks whether it must stop.
POLL_INTERVAL = 0.05


@dataclass(frozen=True)
class HttpsSite:
    """What one lab HTTPS host serves at the MTA-STS policy path.

    `policy` None answers 404; `status` and `location` script a redirect; `content_type`
    lets a scenario serve the policy with the wrong media type.
    """

    hostname: str
    address: str
    scenario: str
    policy: str | None
    cert: CertKind = CertKind.GOOD
    content_type: str = "text/plain; charset=utf-8"
    status: int = 200
    location: str | None = None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: HttpsSite, context: ssl.SSLContext, sock: socket.socket) -> None:
        super().__init__((site.address, 0), _Handler, bind_and_activate=False)
        self.socket.close()
        self.socket = sock
        self.site = site
        self.context = context

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay silent: clients refusing a deliberately bad certificate is expected."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def setup(self) -> None:
        # The TLS handshake runs here, in the request's own thread, so that one slow
        # client cannot hold up the accept loop.
        self.request.settimeout(CLIENT_TIMEOUT)
        self.request = self.server.context.wrap_socket(self.request, server_side=True)
        super().setup()

    def do_GET(self) -> None:
        site = self.server.site
        if self.path != POLICY_PATH or (site.policy is None and site.location is None):
            self._reply(404, "text/plain", b"introuvable\n")
            return
        body = (site.policy or "").encode("utf-8")
        self._reply(site.status, site.content_type, body, site.location)

    def _reply(
        self, status: int, content_type: str, body: bytes, location: str | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if location:
            self.send_header("Location", location)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence: the lab must not write on the terminal of `rgpd-audit demo`."""


class HttpsServerGroup(LabService):
    """Every lab HTTPS host, started and stopped together, on one shared port."""

    def __init__(self, sites: Sequence[HttpsSite], pki: LabPki) -> None:
        if len({site.address for site in sites}) != len(sites):
            raise ValueError("chaque site HTTPS du laboratoire doit avoir sa propre adresse")
        self.sites = list(sites)
        self.pki = pki
        self.port = 0
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Bind every address on one port and serve; all or nothing."""
        if not self.sites:
            return
        sockets = bind_common_port([site.address for site in self.sites])
        self.port = sockets[0].getsockname()[1]
        try:
            for site, sock in zip(self.sites, sockets, strict=True):
                context = self.pki.server_context(site.cert, site.hostname)
                self._servers.append(_Server(site, context, sock))
        except BaseException:
            for sock in sockets:
                sock.close()
            raise
        for server in self._servers:
            thread = threading.Thread(
                target=server.serve_forever,
                args=(POLL_INTERVAL,),
                name=f"lab-https-{server.site.address}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Stop every server and release the port."""
        # shutdown() waits for its loop to notice; asking every loop at once keeps the wait
        # to one poll interval instead of one per server.
        stoppers = [threading.Thread(target=server.shutdown) for server in self._servers]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join(timeout=5)
        for server in self._servers:
            with contextlib.suppress(OSError):
                server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()
