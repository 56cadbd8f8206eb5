"""SMTP servers of the lab, one per MX address, all on one shared port.

Real MX hosts all listen on port 25 of their own address; the lab mimics that with one
127.0.0.x address per MX and a single high port, so the auditor only needs `--smtp-port`.
Mail that reaches a lab server is accepted and thrown away. Well-behaved servers are
aiosmtpd's; the broken ones live in `misbehaving_smtp`.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import selectors
import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from rgpd_audit.lab.errors import LabError
from rgpd_audit.lab.misbehaving_smtp import (
    BUSY_GREETING,
    FilteredPort,
    MisbehavingSmtpServer,
    Misbehaviour,
)
from rgpd_audit.lab.service import LabService

DEFAULT_IDENT = "ESMTP laboratoire rgpd-audit"

# aiosmtpd logs a warning each time a client drops a connection or fails a TLS handshake,
# which the audit does on purpose; without any handler Python would print them on stderr
# in the middle of the demo. An application that configures logging still receives them.
logging.getLogger("mail.log").addHandler(logging.NullHandler())


@dataclass(frozen=True)
class SmtpServerConfig:
    """One lab SMTP server.

    `tls_context` None means STARTTLS is not offered at all; `mute` servers accept the TCP
    connection and never send a greeting; a `misbehaviour` replaces the whole conversation
    (`tls_context` is then ignored, and so is everything but the address for mute servers).
    """

    address: str
    hostname: str
    ident: str = DEFAULT_IDENT
    tls_context: ssl.SSLContext | None = None
    mute: bool = False
    misbehaviour: Misbehaviour | None = None
    #: Answer 421 to a connection opened while another one is still open, like the many
    #: mail servers that limit each client to one connection at a time.
    single_connection: bool = False


class DiscardHandler:
    """aiosmtpd handler that accepts every message and keeps none."""

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Accept the message and drop it."""
        return "250 2.0.0 Message recu puis supprime (laboratoire, aucune distribution)"


#: Most connection times kept per lab (the batch benchmark opens a few hundred at most).
MAX_CONNECTION_TIMES = 100_000


class _DelayedGreetingSMTP(SMTP):
    def __init__(
        self,
        handler: Any,
        *,
        greeting_delay: float,
        accepted: deque[tuple[str, float]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(handler, **kwargs)
        self._greeting_delay = greeting_delay
        self._accepted = accepted
        self._noted = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # Seen from the server, when each connection arrived: the batch's pace per address
        # is checked against these times, not against the client's own bookkeeping.
        # aiosmtpd calls this again after STARTTLS, on the same connection: noted once.
        if self._accepted is not None and not self._noted:
            self._noted = True
            address = transport.get_extra_info("sockname")[0]
            self._accepted.append((address, time.monotonic()))
        super().connection_made(transport)

    async def _handle_client(self) -> None:
        # aiosmtpd has no public hook before the 220 greeting; overriding this private
        # coroutine is acceptable in a test lab and is pinned by the lab's tests. The sleep
        # runs in the connection's own task, so connections are delayed independently.
        if self._greeting_delay > 0:
            await asyncio.sleep(self._greeting_delay)
        await super()._handle_client()

    def eof_received(self) -> bool | None:
        # aiosmtpd stops serving a client at end of stream but keeps the socket open, and
        # only closes it if its handler task had started reading; a client that hangs up
        # during the greeting delay (or the start-up trigger) would leak it. Closing at EOF
        # changes nothing else: no reply can be sent once the handler is cancelled.
        super().eof_received()
        return False


@dataclass
class ConnectionGate:
    """Connections open on one single-connection server, and how many were turned away."""

    active: int = 0
    refused: int = 0


#: How long a new connection waits for the previous one to be closed before it is turned
#: away: the client may already have closed it while the server has not yet noticed.
CLOSE_GRACE = 0.05
_CLOSE_POLL = 0.01


class _SingleConnectionSMTP(_DelayedGreetingSMTP):
    def __init__(self, handler: Any, *, gate: ConnectionGate, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._gate = gate
        self._counted = False

    async def _handle_client(self) -> None:
        waited = 0.0
        while self._gate.active and waited < CLOSE_GRACE:
            await asyncio.sleep(_CLOSE_POLL)
            waited += _CLOSE_POLL
        if self._gate.active:
            self._gate.refused += 1
            await self.push(BUSY_GREETING)
            assert self.transport is not None
            self.transport.close()
            return
        self._gate.active += 1
        self._counted = True
        await super()._handle_client()

    def connection_lost(self, error: Exception | None) -> None:
        if self._counted:
            self._gate.active -= 1
            self._counted = False
        super().connection_lost(error)


class _LabController(Controller):
    """A Controller that serves on a socket the lab has already bound."""

    def __init__(
        self,
        handler: Any,
        sock: socket.socket,
        *,
        greeting_delay: float,
        gate: ConnectionGate | None = None,
        accepted: deque[tuple[str, float]] | None = None,
        **smtp_kwargs: Any,
    ) -> None:
        host, port = sock.getsockname()[:2]
        super().__init__(handler, hostname=host, port=port, **smtp_kwargs)
        self._sock = sock
        self._greeting_delay = greeting_delay
        self.gate = gate
        self._accepted = accepted

    def factory(self) -> SMTP:
        if self.gate is not None:
            return _SingleConnectionSMTP(
                self.handler,
                gate=self.gate,
                greeting_delay=self._greeting_delay,
                accepted=self._accepted,
                **self.SMTP_kwargs,
            )
        return _DelayedGreetingSMTP(
            self.handler,
            greeting_delay=self._greeting_delay,
            accepted=self._accepted,
            **self.SMTP_kwargs,
        )

    def _create_server(self) -> Awaitable[asyncio.AbstractServer]:
        # Serving the pre-bound socket, instead of letting aiosmtpd bind host:port again,
        # removes the window in which another program could take the port.
        return self.loop.create_server(self._factory_invoker, sock=self._sock)

    def release_socket(self) -> None:
        """Close the listening socket (the event loop already does on a clean stop)."""
        self._sock.close()

    def _trigger_server(self) -> None:
        # The stock trigger waits for the greeting, i.e. for the whole greeting delay;
        # accepting the connection is already enough to run the factory.
        with socket.create_connection((self.hostname, self.port), timeout=1.0):
            pass


class MuteServer:
    """Accepts TCP connections on a socket and never sends a single byte."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._sock.setblocking(False)
        self._stopping = threading.Event()
        self._wake_r, self._wake_w = socket.socketpair()
        self._thread = threading.Thread(target=self._run, name="rgpd-lab-smtp-muet", daemon=True)

    def start(self) -> None:
        """Start accepting connections in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Close every accepted connection and the listening socket."""
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._wake_w.send(b"\0")
        if self._thread.is_alive():
            self._thread.join()
        for sock in (self._sock, self._wake_r, self._wake_w):
            sock.close()

    def _run(self) -> None:
        clients: list[socket.socket] = []
        with selectors.DefaultSelector() as selector:
            selector.register(self._sock, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self._sock:
                        with contextlib.suppress(BlockingIOError, ConnectionAbortedError):
                            conn, _ = self._sock.accept()
                            conn.setblocking(False)
                            clients.append(conn)
                            selector.register(conn, selectors.EVENT_READ)
                    elif key.fileobj is not self._wake_r:
                        # Whatever the client says is read and ignored; on end of stream
                        # the connection is dropped so that fds do not pile up.
                        client = key.fileobj
                        assert isinstance(client, socket.socket)
                        try:
                            data = client.recv(4096)
                        except BlockingIOError:
                            continue
                        except OSError:
                            data = b""
                        if not data:
                            selector.unregister(client)
                            clients.remove(client)
                            client.close()
        for conn in clients:
            conn.close()


class _RawServer(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...


def bind_common_port(addresses: Sequence[str], attempts: int = 50) -> list[socket.socket]:
    """Return listening TCP sockets, one per address, all on the same free high port.

    The first address gets a port from the kernel; if that port is taken on another
    address, everything is released and another port is tried.
    """
    for _ in range(attempts):
        sockets: list[socket.socket] = []
        try:
            port = 0
            for address in addresses:
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sockets.append(sock)
                # Lets a new lab reuse a port whose old connections are in TIME_WAIT; on
                # Linux it never allows two listeners on the same address and port.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind((address, port))
                sock.listen(128)
                port = sock.getsockname()[1]
        except OSError as exc:
            for sock in sockets:
                sock.close()
            if exc.errno == errno.EADDRNOTAVAIL:
                raise LabError(
                    f"l'adresse de bouclage {address} est inutilisable sur ce système ; "
                    "le laboratoire a besoin de tout le réseau 127.0.0.0/8 (Linux)"
                ) from exc
            continue
        return sockets
    raise LabError("impossible de trouver un port libre commun aux serveurs SMTP du laboratoire")


class SmtpServerGroup(LabService):
    """Every lab SMTP server, started and stopped together, on one shared port."""

    def __init__(self, configs: Sequence[SmtpServerConfig], *, greeting_delay: float = 0.0) -> None:
        if greeting_delay < 0:
            raise ValueError("le délai d'accueil SMTP ne peut pas être négatif")
        if len({config.address for config in configs}) != len(configs):
            raise ValueError("chaque serveur SMTP du laboratoire doit avoir sa propre adresse")
        self.configs = list(configs)
        self.greeting_delay = greeting_delay
        self.port = 0
        self._controllers: list[_LabController] = []
        # Servers that are not aiosmtpd's: mute, misbehaving, filtered.
        self._raw: list[_RawServer] = []
        # (server address, monotonic time) of each connection the aiosmtpd servers accepted;
        # appended from their event loop threads (deque.append is atomic), bounded.
        self._accepted: deque[tuple[str, float]] = deque(maxlen=MAX_CONNECTION_TIMES)

    def start(self) -> None:
        """Bind every address on one port and start all servers; all or nothing."""
        sockets = bind_common_port([config.address for config in self.configs])
        self.port = sockets[0].getsockname()[1]
        pending = list(sockets)
        try:
            for config, sock in zip(self.configs, sockets, strict=True):
                pending.remove(sock)
                raw = self._raw_server(config, sock)
                if raw is not None:
                    self._raw.append(raw)
                    raw.start()
                    continue
                controller = _LabController(
                    DiscardHandler(),
                    sock,
                    greeting_delay=self.greeting_delay,
                    server_hostname=config.hostname,
                    ident=config.ident,
                    tls_context=config.tls_context,
                    require_starttls=False,
                    gate=ConnectionGate() if config.single_connection else None,
                    accepted=self._accepted,
                )
                self._controllers.append(controller)
                controller.start()
        except BaseException:
            for sock in pending:
                sock.close()
            self.stop()
            raise

    def _raw_server(self, config: SmtpServerConfig, sock: socket.socket) -> _RawServer | None:
        if config.mute:
            return MuteServer(sock)
        if config.misbehaviour is Misbehaviour.FILTERED:
            return FilteredPort(sock)
        if config.misbehaviour is not None:
            return MisbehavingSmtpServer(
                sock,
                hostname=config.hostname,
                ident=config.ident,
                misbehaviour=config.misbehaviour,
                greeting_delay=self.greeting_delay,
            )
        return None

    def connection_times(self) -> list[tuple[str, float]]:
        """(server address, `time.monotonic()`) of every connection accepted so far, in order.

        Monotonic time is the machine's: comparable with another process's on the same host.
        """
        return list(self._accepted)

    def busy_refusals(self) -> int:
        """How many connections the single-connection servers turned away with 421."""
        return sum(c.gate.refused for c in self._controllers if c.gate is not None)

    def stop(self) -> None:
        """Stop every server and release the port."""
        for controller in self._controllers:
            with contextlib.suppress(AssertionError):
                controller.stop()
            # Not closed by the event loop if start() failed before serving.
            controller.release_socket()
        for raw in self._raw:
            raw.stop()
        self._controllers.clear()
        self._raw.clear()
