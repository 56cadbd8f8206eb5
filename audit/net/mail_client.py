"""One conversation with a server that staff use to read or send mail: IMAP, POP3, submission.

Implicit TLS ports (993, 995, 465, RFC 8314) are reached with TLS from the first byte; the
plain ports (143, 110, 587) are asked what they offer before any TLS (STARTTLS, and whether
a password may be sent in clear), then upgraded with STARTTLS. Every reply is size-capped and
the whole conversation is bounded by a deadline, as for SMTP.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
from dataclasses import dataclass, field, replace
from pathlib import Path

from rgpd_audit.models import ErrorInfo
from rgpd_audit.net.deadline import Deadline
from rgpd_audit.net.sharing import wait_for_connection_slot
from rgpd_audit.net.smtp import (
    DEADLINE_FACTOR,
    MAX_REPLY_LINES,
    TlsFailure,
    TlsSession,
    no_route,
    session_of,
    tls_context,
)
from rgpd_audit.text import printable

_MAX_LINE = 8192
_EHLO_NAME = "rgpd-audit.invalid"


@dataclass(frozen=True)
class ServiceSpec:
    """How a service is spoken: its protocol and whether TLS comes first."""

    protocol: str
    implicit_tls: bool
    label: str


#: The six client services of RFC 6186 / RFC 8314, keyed like `config.DEFAULT_PORTS`.
SERVICES: dict[str, ServiceSpec] = {
    "imaps": ServiceSpec("imap", True, "IMAP (TLS implicite)"),
    "imap": ServiceSpec("imap", False, "IMAP"),
    "pop3s": ServiceSpec("pop3", True, "POP3 (TLS implicite)"),
    "pop3": ServiceSpec("pop3", False, "POP3"),
    "submissions": ServiceSpec("smtp", True, "soumission SMTP (TLS implicite)"),
    "submission": ServiceSpec("smtp", False, "soumission SMTP"),
}


@dataclass(frozen=True)
class ClientProbe:
    """Facts gathered from one client service on one address.

    `clear_login` lists the ways to send a password that the server offered before any TLS
    (IMAP LOGIN, POP3 USER, SASL PLAIN or LOGIN): on a plain port that is a password in clear.
    """

    service: str
    host: str
    address: str
    port: int
    greeting: str | None = None
    starttls_offered: bool = False
    clear_login: tuple[str, ...] = field(default_factory=tuple)
    tls: TlsSession | None = None
    tls_failure: TlsFailure | None = None
    error: ErrorInfo | None = None
    #: The auditor's machine cannot reach this address family at all (IPv6 without IPv6).
    no_route: bool = False

    @property
    def spec(self) -> ServiceSpec:
        """Protocol and TLS mode of this service."""
        return SERVICES[self.service]

    @property
    def subject(self) -> str:
        """How the report names this server: service, host, address and port."""
        return f"{self.spec.label} {self.host} ({self.address}, port {self.port})"


class _Refused(Exception):
    """The server answered, but not as the protocol says it should."""


class _CertificateRejected(Exception):
    def __init__(self, error: ssl.SSLCertVerificationError) -> None:
        super().__init__(str(error))
        self.verify_error = (error.verify_code, error.verify_message)


def probe_client(
    service: str, host: str, address: str, port: int, timeout: float, ca_file: Path | None
) -> ClientProbe:
    """Talk to `address:port` as `host` for `service`, up to the end of the TLS handshake.

    A certificate that fails verification leads to a second, unverified connection that
    reads it, so that every problem it has is reported.
    """
    try:
        return _converse(service, host, address, port, timeout, tls_context(ca_file, True, False))
    except _CertificateRejected as rejected:
        second = _converse(service, host, address, port, timeout, tls_context(None, False, False))
        if second.tls is None:
            failure = TlsFailure("certificat illisible à la seconde connexion", temporary=True)
            return replace(second, tls_failure=failure)
        return replace(second, tls=replace(second.tls, verify_error=rejected.verify_error))


def _converse(
    service: str,
    host: str,
    address: str,
    port: int,
    timeout: float,
    context: ssl.SSLContext,
) -> ClientProbe:
    spec = SERVICES[service]
    probe = ClientProbe(service, host, address, port)
    # A batch's pace for this address (see `sharing.pacing`), before the deadline starts.
    wait_for_connection_slot(address)
    deadline = Deadline(timeout * DEADLINE_FACTOR)
    try:
        sock = socket.create_connection((address, port), timeout=timeout)
    except OSError as exc:
        return replace(probe, error=_error(exc, deadline), no_route=no_route(address, exc))
    deadline.watch(sock)
    line = _Lines(sock)
    # Where the conversation stands decides what a failure means: before TLS, the server
    # is not testable; during STARTTLS or the handshake, TLS is what failed.
    in_tls = spec.implicit_tls
    try:
        if spec.implicit_tls:
            line.sock = _handshake(line.sock, host, context)
            probe = replace(probe, tls=session_of(line.sock))
            in_tls = False
            probe = replace(probe, greeting=_greeting(spec.protocol, line))
        else:
            probe = replace(probe, greeting=_greeting(spec.protocol, line))
            starttls, clear_login = _capabilities(spec.protocol, line)
            probe = replace(probe, starttls_offered=starttls, clear_login=clear_login)
            if starttls:
                in_tls = True
                _ask_starttls(spec.protocol, line)
                line.sock = _handshake(line.sock, host, context)
                line.buffer.clear()
                probe = replace(probe, tls=session_of(line.sock))
                in_tls = False
        _say_goodbye(spec.protocol, line)
        return probe
    except ssl.SSLError as exc:
        if deadline.expired or isinstance(exc, ssl.SSLEOFError | ssl.SSLZeroReturnError):
            # Cut by our deadline, or closed by the server before any TLS reply (a
            # connection limit does that): nothing definite about its TLS. Depending on the
            # OpenSSL release, that close reads as an unexpected EOF or as a clean shutdown.
            info = _error(exc, deadline)
            failure = TlsFailure(f"TLS non abouti : {info.message}", True, info.reason)
            return replace(probe, tls_failure=failure)
        message = f"négociation TLS impossible : {exc}"
        return replace(probe, tls_failure=TlsFailure(message, temporary=False, reason="tls"))
    except (_Refused, OSError) as exc:
        info = _error(exc, deadline)
        if in_tls:
            # A refused STARTTLS, a stall or a reset during the handshake: nothing definite.
            failure = TlsFailure(f"TLS non abouti : {info.message}", True, info.reason)
            return replace(probe, tls_failure=failure)
        return replace(probe, error=info)
    finally:
        deadline.stop()
        line.sock.close()


def _handshake(sock: socket.socket, host: str, context: ssl.SSLContext) -> ssl.SSLSocket:
    try:
        return context.wrap_socket(sock, server_hostname=host)
    except ssl.SSLCertVerificationError as exc:
        raise _CertificateRejected(exc) from None


class _Lines:
    """Reads CRLF lines from a socket, refusing lines and replies no server needs."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = bytearray()

    def send(self, text: str) -> None:
        self.sock.sendall(text.encode("ascii") + b"\r\n")

    def readline(self) -> str:
        while b"\n" not in self.buffer:
            if len(self.buffer) > _MAX_LINE:
                raise _Refused(f"ligne de réponse démesurée (plus de {_MAX_LINE} octets)")
            data = self.sock.recv(4096)
            if not data:
                raise ConnectionResetError("connexion fermée par le serveur")
            self.buffer += data
        end = self.buffer.index(b"\n") + 1
        if end > _MAX_LINE:
            raise _Refused(f"ligne de réponse démesurée (plus de {_MAX_LINE} octets)")
        line = bytes(self.buffer[:end])
        del self.buffer[:end]
        return line.decode("latin-1").rstrip("\r\n")

    def lines_until(self, last: tuple[str, ...] | None, smtp: bool = False) -> list[str]:
        """Lines up to one starting with `last` (or, for SMTP, the end of a reply)."""
        lines: list[str] = []
        while len(lines) < MAX_REPLY_LINES:
            text = self.readline()
            lines.append(text)
            if smtp and text[3:4] != "-":
                return lines
            if last is not None and text.startswith(last):
                return lines
        raise _Refused(f"réponse démesurée (plus de {MAX_REPLY_LINES} lignes)")


def _greeting(protocol: str, line: _Lines) -> str:
    if protocol == "smtp":
        reply = line.lines_until(None, smtp=True)
        text = printable(" ".join(reply))
        if not reply[-1].startswith("220"):
            raise _Refused(f"accueil refusé : {text}")
        return text
    text = printable(line.readline())
    if protocol == "imap" and not text.upper().startswith(("* OK", "* PREAUTH")):
        raise _Refused(f"accueil IMAP refusé : {text}")
    if protocol == "pop3" and not text.startswith("+OK"):
        raise _Refused(f"accueil POP3 refusé : {text}")
    return text


def _capabilities(protocol: str, line: _Lines) -> tuple[bool, tuple[str, ...]]:
    """Whether STARTTLS is offered, and the clear-text logins offered before TLS."""
    if protocol == "imap":
        line.send("a1 CAPABILITY")
        reply = line.lines_until(("a1 ",))
        caps = {
            word.upper()
            for text in reply
            if text.upper().startswith("* CAPABILITY")
            for word in text.split()[2:]
        }
        logins = [] if "LOGINDISABLED" in caps else ["LOGIN"]
        logins += [m for m in ("AUTH=PLAIN", "AUTH=LOGIN") if m in caps]
        return "STARTTLS" in caps, tuple(logins)
    if protocol == "pop3":
        line.send("CAPA")
        first = line.readline()
        if not first.startswith("+OK"):
            # A server without CAPA (RFC 1939 only) has USER/PASS and no STLS.
            return False, ("USER",)
        capa = [text.upper().split() for text in line.lines_until((".",))[:-1]]
        words = {c[0] for c in capa if c}
        sasl = {m for c in capa if c and c[0] == "SASL" for m in c[1:]}
        logins = (["USER"] if "USER" in words else []) + [
            f"SASL {m}" for m in ("PLAIN", "LOGIN") if m in sasl
        ]
        return "STLS" in words, tuple(logins)
    line.send(f"EHLO {_EHLO_NAME}")
    reply = line.lines_until(None, smtp=True)
    if not reply[-1].startswith("250"):
        raise _Refused(f"EHLO refusé : {printable(' '.join(reply))}")
    keywords = [text[4:].upper().split() for text in reply[1:]]
    auth = {m for k in keywords if k and k[0] == "AUTH" for m in k[1:]}
    offered = tuple(f"AUTH {m}" for m in ("PLAIN", "LOGIN") if m in auth)
    return any(k and k[0] == "STARTTLS" for k in keywords), offered


def _ask_starttls(protocol: str, line: _Lines) -> None:
    if protocol == "imap":
        line.send("a2 STARTTLS")
        reply = line.lines_until(("a2 ",))[-1]
        ok = reply.upper().startswith("A2 OK")
    elif protocol == "pop3":
        line.send("STLS")
        reply = line.readline()
        ok = reply.startswith("+OK")
    else:
        line.send("STARTTLS")
        reply = line.lines_until(None, smtp=True)[-1]
        ok = reply.startswith("220")
    if not ok:
        raise _Refused(printable(reply))


def _say_goodbye(protocol: str, line: _Lines) -> None:
    # Politeness only: whatever happens now changes no fact already gathered.
    command = {"imap": "a9 LOGOUT", "pop3": "QUIT", "smtp": "QUIT"}[protocol]
    with contextlib.suppress(OSError):
        line.send(command)


def _error(exc: BaseException, deadline: Deadline) -> ErrorInfo:
    if deadline.expired:
        return ErrorInfo(
            reason="timeout",
            message="échange abandonné : le serveur répond trop lentement (délai total de "
            f"{deadline.seconds:g} s dépassé)",
        )
    if isinstance(exc, TimeoutError):
        return ErrorInfo(reason="timeout", message="le serveur ne répond pas (délai dépassé)")
    if isinstance(exc, ConnectionRefusedError):
        return ErrorInfo(reason="connection", message="connexion refusée")
    if isinstance(exc, _Refused):
        return ErrorInfo(reason="connection", message=f"réponse inattendue : {exc}")
    return ErrorInfo(reason="connection", message=f"connexion impossible : {exc}")
