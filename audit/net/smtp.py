"""One SMTP conversation with one MX address: greeting, EHLO, STARTTLS, certificate.

A probe gathers facts once; checks judge them. Rate limits (`421`), refusals and timeouts are
kept with the server's reply, never mistaken for "no STARTTLS"; a TCP connection that cannot
even be opened is told apart from a server that is reached but silent, because only the
former hints at the auditor's own network filtering port 25.
"""

from __future__ import annotations

import _ssl
import errno
import smtplib
import socket
import ssl
import time
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

from rgpd_audit.models import ErrorInfo, ErrorReason
from rgpd_audit.net.certificates import CertificateInfo, describe
from rgpd_audit.net.deadline import Deadline
from rgpd_audit.net.sharing import wait_for_connection_slot
from rgpd_audit.paths import os_error_text
from rgpd_audit.text import printable

_EHLO_NAME = "rgpd-audit.invalid"
# Replies meaning "EHLO unknown here": a pre-ESMTP server, which cannot offer STARTTLS.
_EHLO_UNKNOWN = {500, 502}
# A reply is read line by line, each at most smtplib's 8192 bytes; this caps the number of
# lines so that a server sending an endless multi-line reply cannot fill memory.
MAX_REPLY_LINES = 100
_MAX_LINE = 8192
#: A whole conversation (one connection) may last this many per-operation timeouts: a
#: server that drips one byte at a time never trips a per-read timeout, only this.
DEADLINE_FACTOR = 2
# Pause before the single new attempt of a secondary connection greeted with 421: the
# server may not yet have noticed that the previous connection was closed.
_BUSY_RETRY_PAUSE = 1.0
# What connect() says when the machine has no IPv6 connectivity at all.
_NO_ROUTE_ERRNOS = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EAFNOSUPPORT, errno.EADDRNOTAVAIL}


@dataclass(frozen=True)
class TlsSession:
    """What the STARTTLS handshake showed.

    `certificate` describes the leaf; `chain` holds the DER certificates exactly as the
    server sent them, leaf first (DANE matches against them, the chain check reads them).
    """

    version: str | None
    cipher: str | None
    certificate: CertificateInfo | None
    verify_error: tuple[int, str] | None
    chain: tuple[bytes, ...] = ()


@dataclass(frozen=True)
class TlsFailure:
    """STARTTLS was offered but could not be used; `temporary` for a 4xx reply, a stall or a
    reset, which say nothing definite about the server (`reason` then says which)."""

    message: str
    temporary: bool
    reason: ErrorReason = "smtp"


@dataclass(frozen=True)
class SmtpProbe:
    """Facts gathered from one MX address.

    `error` is set when the conversation did not reach EHLO (no verdict possible);
    `unreachable` when not even the TCP connection could be opened; `no_route` when that
    is because the auditor's machine cannot reach this address family at all (typically an
    IPv6 address audited from a network without IPv6).
    """

    host: str
    address: str
    port: int
    banner: str | None = None
    esmtp: bool = True
    starttls_offered: bool = False
    tls: TlsSession | None = None
    tls_failure: TlsFailure | None = None
    error: ErrorInfo | None = None
    unreachable: bool = False
    no_route: bool = False

    @property
    def subject(self) -> str:
        """How the report names this server: MX name and address."""
        return f"{self.host} ({self.address})"


def probe_smtp(
    host: str, address: str, port: int, timeout: float, ca_file: Path | None
) -> SmtpProbe:
    """Talk to `address:port` as the MX `host`, up to the end of the TLS handshake."""
    client = _Client(host, timeout)
    try:
        banner = client.greet(address, port)
    except _NoConversation as failure:
        client.close()
        return SmtpProbe(
            host,
            address,
            port,
            error=failure.info,
            unreachable=failure.unreachable,
            no_route=failure.no_route,
        )
    try:
        code, reply = client.ehlo()
        if code in _EHLO_UNKNOWN:
            client.helo()
            return SmtpProbe(host, address, port, banner=banner, esmtp=False)
        if code != 250:
            message = f"EHLO refusé : {code} {printable(reply)}"
            return SmtpProbe(host, address, port, banner=banner, error=_smtp_error(message))
        if not client.has_extn("starttls"):
            return SmtpProbe(host, address, port, banner=banner)
        session, tls_failure = _starttls(client, address, port, ca_file)
        return SmtpProbe(
            host,
            address,
            port,
            banner=banner,
            starttls_offered=True,
            tls=session,
            tls_failure=tls_failure,
        )
    except (OSError, smtplib.SMTPException) as exc:
        client.close()
        return SmtpProbe(host, address, port, banner=banner, error=client.explain(exc))
    finally:
        client.quit_politely()


def starttls_handshake(
    host: str, address: str, port: int, timeout: float, context: ssl.SSLContext
) -> TlsSession | TlsFailure | ssl.SSLError:
    """One more connection to `address`: greeting, EHLO, STARTTLS, handshake with `context`.

    Used for the extra handshakes of the TLS assessment (old versions, weak ciphers). An
    `ssl.SSLError` means the server refused the handshake; a `TlsFailure` means the attempt
    said nothing (busy, timeout, reset). A 421 greeting is retried once after a pause: the
    server may still be counting the connection the previous step just closed.
    """
    outcome = _secondary(host, address, port, timeout, context)
    if isinstance(outcome, _Busy):
        time.sleep(_BUSY_RETRY_PAUSE)
        outcome = _secondary(host, address, port, timeout, context)
    if isinstance(outcome, _Busy):
        return TlsFailure(outcome.message, temporary=True)
    return outcome


@dataclass(frozen=True)
class _Busy:
    message: str


def _secondary(
    host: str, address: str, port: int, timeout: float, context: ssl.SSLContext
) -> TlsSession | TlsFailure | ssl.SSLError | _Busy:
    client = _Client(host, timeout)
    try:
        client.greet(address, port)
        code, reply = client.ehlo()
        if code != 250 or not client.has_extn("starttls"):
            return TlsFailure(f"EHLO : {code} {printable(reply)}", temporary=True)
        return _handshake(client, context)
    except _NoConversation as failure:
        if failure.busy:
            return _Busy(failure.info.message)
        return TlsFailure(failure.info.message, temporary=True, reason=failure.info.reason)
    except (OSError, smtplib.SMTPException) as exc:
        info = client.explain(exc)
        return TlsFailure(info.message, temporary=True, reason=info.reason)
    finally:
        client.quit_politely()


class _NoConversation(Exception):
    def __init__(
        self, info: ErrorInfo, unreachable: bool, no_route: bool = False, busy: bool = False
    ) -> None:
        super().__init__(info.message)
        self.info = info
        self.unreachable = unreachable
        self.no_route = no_route
        # 421 at the greeting: "too many connections" or "try later".
        self.busy = busy


class _HostileReply(smtplib.SMTPException):
    """The server's reply exceeds what any SMTP server sends."""


class _Client(smtplib.SMTP):
    """smtplib's client, presenting the MX name for SNI and telling connect from greeting.

    It also bounds what a hostile server can do: replies are capped in size, and the
    connection is shut down once the conversation has lasted `DEADLINE_FACTOR` timeouts.
    """

    def __init__(self, mx_host: str, timeout: float) -> None:
        super().__init__(timeout=timeout, local_hostname=_EHLO_NAME)
        self.mx_host = mx_host
        self._socket_open = False
        self._deadline = Deadline(timeout * DEADLINE_FACTOR)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        # Hook used by smtplib's own subclasses; it marks that TCP connected. A batch's pace
        # is waited here, so that every connection counts, retries and reconnections too.
        wait_for_connection_slot(host)
        # typeshed leaves smtplib's private hook out of its SMTP stub.
        sock: socket.socket = super()._get_socket(host, port, timeout)  # type: ignore[misc]
        self._socket_open = True
        self._deadline.watch(sock)
        return sock

    def close(self) -> None:
        """Close the connection and stop its deadline."""
        try:
            super().close()
        finally:
            self._deadline.stop()

    def getreply(self) -> tuple[int, bytes]:
        """smtplib's reply reader, with a cap on the number of lines."""
        if self.file is None:
            if self.sock is None:
                # Not connected (or closed): smtplib's own words for it, in `send`.
                raise smtplib.SMTPServerDisconnected("please run connect() first")
            self.file = self.sock.makefile("rb")
        lines: list[bytes] = []
        while True:
            try:
                line = self.file.readline(_MAX_LINE + 1)
            except OSError as exc:
                self.close()
                raise smtplib.SMTPServerDisconnected(
                    f"connexion interrompue : {os_error_text(exc)}"
                ) from exc
            if not line:
                self.close()
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            if len(line) > _MAX_LINE:
                self.close()
                raise _HostileReply(f"ligne de réponse SMTP démesurée (plus de {_MAX_LINE} octets)")
            lines.append(line[4:].strip(b" \t\r\n"))
            if len(lines) > MAX_REPLY_LINES:
                self.close()
                raise _HostileReply(f"réponse SMTP démesurée (plus de {MAX_REPLY_LINES} lignes)")
            try:
                code = int(line[:3])
            except ValueError:
                return -1, b"\n".join(lines)
            if line[3:4] != b"-":
                return code, b"\n".join(lines)

    @property
    def deadline_expired(self) -> bool:
        """Whether the overall deadline has cut this conversation."""
        return self._deadline.expired

    def explain(self, exc: BaseException) -> ErrorInfo:
        """The reason and French message for a failure of this conversation."""
        if self._deadline.expired:
            return ErrorInfo(
                reason="timeout",
                message="échange abandonné : le serveur répond trop lentement (délai total "
                f"de {self.timeout * DEADLINE_FACTOR:g} s dépassé)",
            )
        return _error_info(exc)

    def greet(self, address: str, port: int) -> str:
        """Connect and read the greeting; `_NoConversation` explains any failure."""
        try:
            code, message = self.connect(address, port)
        except (OSError, smtplib.SMTPException) as exc:
            unreachable = not self._socket_open and not isinstance(exc, ConnectionRefusedError)
            if self._socket_open and _timed_out(exc):
                info = ErrorInfo(
                    reason="smtp",
                    message="connexion établie, mais le serveur n'envoie pas sa bannière SMTP "
                    "(délai dépassé)",
                )
            else:
                info = self.explain(exc)
            raise _NoConversation(info, unreachable, no_route(address, exc)) from None
        # smtplib sends the connected address as SNI; servers choose their certificate by
        # the MX name, so STARTTLS must present that name instead.
        self._host = self.mx_host
        banner = printable(message)
        if code != 220:
            raise _NoConversation(
                _smtp_error(f"accueil SMTP {code} {banner}"), False, busy=code == 421
            )
        return banner

    def quit_politely(self) -> None:
        """Say QUIT when the conversation is still open, then close."""
        if self.sock is None:
            return
        try:
            self.quit()
        except (OSError, smtplib.SMTPException):
            self.close()


def _starttls(
    client: _Client, address: str, port: int, ca_file: Path | None
) -> tuple[TlsSession | None, TlsFailure | None]:
    """Handshake with verification; then, only if needed, reconnect to learn more.

    A certificate error leads to a second, unverified handshake that reads the certificate,
    so that every problem it has is reported. A protocol error leads to a handshake that
    accepts obsolete TLS versions, so that an old server is described rather than declared
    broken.
    """
    legacy = False
    outcome = _handshake(client, tls_context(ca_file, verify=True, legacy=False))
    if isinstance(outcome, ssl.SSLError) and not isinstance(outcome, ssl.SSLCertVerificationError):
        first_error = outcome
        legacy = True
        outcome = _reconnected(
            client, address, port, tls_context(ca_file, verify=True, legacy=True)
        )
        if isinstance(outcome, ssl.SSLError) and not isinstance(
            outcome, ssl.SSLCertVerificationError
        ):
            return None, TlsFailure(
                f"négociation TLS impossible : {first_error}", temporary=False, reason="tls"
            )
    if not isinstance(outcome, ssl.SSLCertVerificationError):
        return (outcome, None) if isinstance(outcome, TlsSession) else (None, outcome)
    verify_error = (outcome.verify_code, outcome.verify_message)
    reading = _reconnected(client, address, port, tls_context(None, verify=False, legacy=legacy))
    if isinstance(reading, TlsSession):
        return replace(reading, verify_error=verify_error), None
    return TlsSession(None, None, None, verify_error), TlsFailure(
        "certificat illisible à la seconde connexion", temporary=True
    )


def _handshake(client: _Client, context: ssl.SSLContext) -> TlsSession | TlsFailure | ssl.SSLError:
    try:
        client.starttls(context=context)
        return session_of(client.sock)
    except ssl.SSLError as exc:
        if client.deadline_expired:
            # Our own overall deadline cut the handshake (a server dripping its replies):
            # the error OpenSSL then reports says nothing about the server's TLS.
            info = client.explain(exc)
            client.close()
            return TlsFailure(f"négociation TLS interrompue : {info.message}", True, "timeout")
        client.close()
        return exc
    except smtplib.SMTPResponseException as exc:
        message = f"STARTTLS refusé : {exc.smtp_code} {printable(exc.smtp_error)}"
        return TlsFailure(message, temporary=400 <= exc.smtp_code < 500)
    except (OSError, smtplib.SMTPException) as exc:
        info = client.explain(exc)
        client.close()
        # A stall or a reset during the handshake says nothing definite about the server.
        reason: ErrorReason = "timeout" if info.reason == "timeout" else "tls"
        return TlsFailure(
            f"négociation TLS interrompue : {info.message}", temporary=True, reason=reason
        )


def _reconnected(
    client: _Client, address: str, port: int, context: ssl.SSLContext
) -> TlsSession | TlsFailure | ssl.SSLError:
    client.close()
    return starttls_handshake(client.mx_host, address, port, client.timeout, context)


def session_of(sock: socket.socket | None) -> TlsSession:
    """What a completed handshake on `sock` showed (the verification verdict comes later)."""
    assert isinstance(sock, ssl.SSLSocket)
    der = sock.getpeercert(binary_form=True)
    cipher = sock.cipher()
    return TlsSession(
        version=sock.version(),
        cipher=cipher[0] if cipher else None,
        certificate=describe(der) if der else None,
        verify_error=None,
        chain=sent_chain(sock),
    )


def sent_chain(sock: ssl.SSLSocket) -> tuple[bytes, ...]:
    """The certificates the peer sent, leaf first, in DER, whether verified or not."""
    public = getattr(sock, "get_unverified_chain", None)
    if public is not None:  # Python 3.13 and later
        return tuple(public())
    # Before 3.13 the same OpenSSL call (SSL_get_peer_cert_chain) is only exposed on the
    # internal object; its certificates convert to DER themselves.
    # typeshed does not declare the private `_sslobj`.
    internal = sock._sslobj.get_unverified_chain()  # type: ignore[attr-defined]
    return tuple(cert.public_bytes(_ssl.ENCODING_DER) for cert in internal or ())


def tls_context(ca_file: Path | None, verify: bool, legacy: bool) -> ssl.SSLContext:
    """Client context: verifying the chain (not the name) or not at all; `legacy` admits
    TLS 1.0 and 1.1 to describe old servers."""
    context = ssl.create_default_context()
    # The name is judged by `certificates.judge`, so that a wrong name and an unknown
    # authority are both reported.
    context.check_hostname = False
    if verify:
        if ca_file:
            context.load_verify_locations(cafile=str(ca_file))
    else:
        context.verify_mode = ssl.CERT_NONE
    if legacy:
        # Only to describe servers stuck on TLS 1.0/1.1; never used to send anything.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


def no_route(address: str, exc: BaseException) -> bool:
    """True when `exc` says this machine has no way to reach an IPv6 `address`."""
    return ":" in address and isinstance(exc, OSError) and exc.errno in _NO_ROUTE_ERRNOS


def _timed_out(exc: BaseException) -> bool:
    # smtplib wraps a read timeout into SMTPServerDisconnected; the cause is what matters.
    return isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError)


def _smtp_error(message: str) -> ErrorInfo:
    return ErrorInfo(reason="smtp", message=message)


def _error_info(exc: BaseException) -> ErrorInfo:
    if isinstance(exc, _HostileReply):
        return _smtp_error(f"échange abandonné : {exc}")
    if _timed_out(exc):
        return ErrorInfo(reason="timeout", message="le serveur ne répond pas (délai dépassé)")
    if isinstance(exc, ConnectionRefusedError):
        return ErrorInfo(reason="connection", message="connexion refusée")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        # Our own reasons are French; smtplib's (« Connection unexpectedly closed ») are not.
        ours = str(exc).startswith("connexion")
        detail = f" ({exc})" if ours else ""
        return ErrorInfo(reason="connection", message=f"connexion fermée par le serveur{detail}")
    if isinstance(exc, smtplib.SMTPResponseException):
        return _smtp_error(f"réponse {exc.smtp_code} {printable(exc.smtp_error)}")
    reason = os_error_text(exc) if isinstance(exc, OSError) else type(exc).__name__
    return ErrorInfo(reason="connection", message=f"connexion impossible : {reason}")
