"""IMAP, POP3 and submission servers of the lab, for the client protocol checks.

One high port per service, shared by every lab address that serves it, as for SMTP. Each
server speaks just enough of its protocol for an audit: greeting, capabilities, STARTTLS
and goodbye; it never accepts a login, so no password can ever be sent to it.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from rgpd_audit.lab.pki import CertKind, LabPki
from rgpd_audit.lab.service import LabService
from rgpd_audit.lab.session_loop import SessionLoop
from rgpd_audit.lab.smtp_servers import bind_common_port

#: The services served, and whether TLS starts with the connection (RFC 8314).
IMPLICIT_TLS = {
    "imaps": True,
    "imap": False,
    "pop3s": True,
    "pop3": False,
    "submissions": True,
    "submission": False,
}
_PROTOCOL = {
    "imaps": "imap",
    "imap": "imap",
    "pop3s": "pop3",
    "pop3": "pop3",
    "submissions": "smtp",
    "submission": "smtp",
}
# Lines longer than this end the session (StreamReader limit).
_LINE_LIMIT = 8192


@dataclass(frozen=True)
class ClientServerConfig:
    """One lab address serving the client services.

    `tls_context` None: no TLS at all (no STARTTLS, implicit TLS ports not served). With
    `clear_login`, a password may be sent before TLS (IMAP without LOGINDISABLED, POP3
    USER, SASL PLAIN/LOGIN), which the audit must flag.
    """

    address: str
    hostname: str
    tls_context: ssl.SSLContext | None
    clear_login: bool = False
    #: Text added to every greeting (e.g. a secret an internal service would disclose).
    greeting_extra: str = ""


@dataclass(frozen=True)
class ClientLabHost:
    """A lab host serving the client services: `cert` None means no TLS at all."""

    hostname: str
    address: str
    scenario: str
    cert: CertKind | None = CertKind.GOOD
    clear_login: bool = False
    greeting_extra: str = ""


def client_configs(hosts: Sequence[ClientLabHost], pki: LabPki) -> list[ClientServerConfig]:
    """Server settings of `hosts`, with certificates from the lab's PKI."""
    return [
        ClientServerConfig(
            host.address,
            host.hostname,
            pki.server_context(host.cert, host.hostname) if host.cert else None,
            host.clear_login,
            host.greeting_extra,
        )
        for host in hosts
    ]


class _Session:
    """One client connection, on one service of one address."""

    def __init__(
        self,
        config: ClientServerConfig,
        protocol: str,
        secured: bool,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self.config = config
        self.protocol = protocol
        self.secured = secured
        self.reader = reader
        self.writer = writer

    async def run(self) -> None:
        handlers: dict[str, Callable[[], Awaitable[None]]] = {
            "imap": self._imap,
            "pop3": self._pop3,
            "smtp": self._smtp,
        }
        await handlers[self.protocol]()

    @property
    def _can_starttls(self) -> bool:
        return self.config.tls_context is not None and not self.secured

    @property
    def _extra(self) -> str:
        extra = self.config.greeting_extra
        return f" {extra}" if extra else ""

    @property
    def _login_offered(self) -> bool:
        return self.secured or self.config.clear_login

    async def _send(self, *lines: str) -> None:
        self.writer.write("".join(f"{line}\r\n" for line in lines).encode())
        await self.writer.drain()

    async def _starttls(self) -> None:
        assert self.config.tls_context is not None
        await self.writer.start_tls(self.config.tls_context)
        self.secured = True

    async def _imap(self) -> None:
        await self._send(f"* OK laboratoire rgpd-audit IMAP4rev1 pret{self._extra}")
        while line := await self.reader.readline():
            tag, _, rest = line.decode("latin-1").strip().partition(" ")
            command = rest.split(" ")[0].upper()
            if command == "CAPABILITY":
                caps = ["IMAP4rev1"]
                if self._can_starttls:
                    caps.append("STARTTLS")
                caps.append("AUTH=PLAIN" if self._login_offered else "LOGINDISABLED")
                await self._send(f"* CAPABILITY {' '.join(caps)}", f"{tag} OK CAPABILITY fini")
            elif command == "STARTTLS" and self._can_starttls:
                await self._send(f"{tag} OK Begin TLS negotiation now")
                await self._starttls()
            elif command == "LOGOUT":
                await self._send("* BYE au revoir", f"{tag} OK LOGOUT fini")
                return
            else:
                await self._send(f"{tag} BAD commande non prise en charge")

    async def _pop3(self) -> None:
        await self._send(f"+OK laboratoire rgpd-audit POP3 pret{self._extra}")
        while line := await self.reader.readline():
            command = line.decode("latin-1").strip().split(" ")[0].upper()
            if command == "CAPA":
                caps = ["TOP", "UIDL"]
                if self._can_starttls:
                    caps.append("STLS")
                if self._login_offered:
                    caps += ["USER", "SASL PLAIN"]
                await self._send("+OK liste des capacites", *caps, ".")
            elif command == "STLS" and self._can_starttls:
                await self._send("+OK Begin TLS negotiation")
                await self._starttls()
            elif command == "QUIT":
                await self._send("+OK au revoir")
                return
            else:
                await self._send("-ERR commande non prise en charge")

    async def _smtp(self) -> None:
        host = self.config.hostname
        await self._send(f"220 {host} ESMTP soumission laboratoire rgpd-audit{self._extra}")
        while line := await self.reader.readline():
            command = line.decode("latin-1").strip().split(" ")[0].upper()
            if command == "EHLO":
                keywords = ["8BITMIME"]
                if self._can_starttls:
                    keywords.append("STARTTLS")
                if self._login_offered:
                    keywords.append("AUTH PLAIN LOGIN")
                lines = [host, *keywords]
                await self._send(
                    *(f"250-{k}" for k in lines[:-1]),
                    f"250 {lines[-1]}",
                )
            elif command == "STARTTLS" and self._can_starttls:
                await self._send("220 2.0.0 Ready to start TLS")
                await self._starttls()
            elif command == "QUIT":
                await self._send("221 2.0.0 Au revoir")
                return
            else:
                await self._send("502 5.5.2 Commande non prise en charge")


class ClientServerGroup(LabService):
    """Every lab client server, started and stopped together, one port per service."""

    def __init__(self, configs: Sequence[ClientServerConfig]) -> None:
        self.configs = list(configs)
        self.ports: dict[str, int] = {}
        self._sockets: list[tuple[str, ClientServerConfig, socket.socket]] = []
        self._serving = SessionLoop(self._serve, "rgpd-lab-clients")
        self._ready = threading.Event()
        self._failure: BaseException | None = None

    def start(self) -> None:
        """Bind every service on its own shared port, then serve in a background thread."""
        try:
            for service, implicit in IMPLICIT_TLS.items():
                served = [c for c in self.configs if c.tls_context or not implicit]
                if not served:
                    continue
                sockets = bind_common_port([c.address for c in served])
                self.ports[service] = sockets[0].getsockname()[1]
                self._sockets += [(service, c, s) for c, s in zip(served, sockets, strict=True)]
        except BaseException:
            self._close_sockets()
            raise
        self._serving.start()
        self._ready.wait()
        if self._failure is not None:
            self.stop()
            raise self._failure

    def stop(self) -> None:
        """Drop every session and close every socket."""
        self._serving.stop()
        self._close_sockets()

    def _close_sockets(self) -> None:
        for _, _, sock in self._sockets:
            sock.close()

    async def _serve(self) -> None:
        servers: list[asyncio.Server] = []
        try:
            for service, config, sock in self._sockets:
                implicit = IMPLICIT_TLS[service]
                servers.append(
                    await asyncio.start_server(
                        self._accepter(config, _PROTOCOL[service], implicit),
                        sock=sock,
                        ssl=config.tls_context if implicit else None,
                        limit=_LINE_LIMIT,
                    )
                )
        except BaseException as exc:
            self._failure = exc
        self._ready.set()
        if self._failure is None:
            await self._serving.wait_stopped()
        await self._serving.shut_down(servers)

    def _accepter(
        self, config: ClientServerConfig, protocol: str, implicit: bool
    ) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], None]:
        def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            session = _Session(config, protocol, implicit, reader, writer)
            self._serving.spawn(session.run, writer)

        return accept
