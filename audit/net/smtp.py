"""One SMTP conversation with one MX address: greeting, EHLO, STARTTLS, certificate.

A probe gathers facts once; checks judge them. Rate limits (`421`), refusals and timeouts are
kept as an error with the server's reply, never mistaken for "no STARTTLS".
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path

from rgpd_audit.models import ErrorInfo
from rgpd_audit.net.certificates import CertificateInfo, describe

_EHLO_NAME = "rgpd-audit.invalid"


@dataclass(frozen=True)
class TlsSession:
    """What the STARTTLS handshake showed."""

    version: str | None
    cipher: str | None
    certificate: CertificateInfo | None
    verify_error: tuple[int, str] | None


@dataclass(frozen=True)
class SmtpProbe:
    """Facts gathered from one MX address. `error` is set when no verdict is possible."""

    host: str
    address: str
    port: int
    banner: str | None = None
    starttls_offered: bool = False
    tls: TlsSession | None = None
    tls_error: str | None = None
    error: ErrorInfo | None = None

    @property
    def subject(self) -> str:
        return f"{self.host} ({self.address})"


def probe_smtp(
    host: str, address: str, port: int, timeout: float, ca_file: Path | None
) -> SmtpProbe:
    """Talk to `address:port` as the MX `host`, up to the end of the TLS handshake."""
    try:
        client, banner = _greet(address, port, timeout)
    except _ProbeFailure as failure:
        return SmtpProbe(host, address, port, error=failure.info)
    try:
        code, _ = client.ehlo()
        if code != 250:
            return SmtpProbe(
                host,
                address,
                port,
                banner=banner,
                error=ErrorInfo(reason="smtp", message=f"EHLO refusé (code {code})"),
            )
        offered = client.has_extn("starttls")
        if not offered:
            return SmtpProbe(host, address, port, banner=banner)
        session, tls_error = _starttls(client, host, address, port, timeout, ca_file)
        return SmtpProbe(
            host,
            address,
            port,
            banner=banner,
            starttls_offered=True,
            tls=session,
            tls_error=tls_error,
        )
    except (OSError, smtplib.SMTPException) as exc:
        client.close()
        return SmtpProbe(host, address, port, banner=banner, error=_error_info(exc))
    finally:
        _close(client)


class _ProbeFailure(Exception):
    def __init__(self, info: ErrorInfo) -> None:
        super().__init__(info.message)
        self.info = info


def _greet(address: str, port: int, timeout: float) -> tuple[smtplib.SMTP, str]:
    client = smtplib.SMTP(timeout=timeout, local_hostname=_EHLO_NAME)
    try:
        code, message = client.connect(address, port)
    except smtplib.SMTPConnectError as exc:
        client.close()
        reply = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        raise _ProbeFailure(
            ErrorInfo(
                reason="smtp", message=f"le serveur refuse la connexion : {exc.smtp_code} {reply}"
            )
        ) from None
    except (OSError, smtplib.SMTPException) as exc:
        client.close()
        raise _ProbeFailure(_error_info(exc)) from None
    banner = message.decode(errors="replace")
    if code != 220:
        client.close()
        raise _ProbeFailure(ErrorInfo(reason="smtp", message=f"accueil SMTP {code} {banner}"))
    return client, banner


def _starttls(
    client: smtplib.SMTP, host: str, address: str, port: int, timeout: float, ca_file: Path | None
) -> tuple[TlsSession | None, str | None]:
    # smtplib sends the connected address as SNI; servers choose their certificate by the
    # MX name, so present that name instead.
    client._host = host
    try:
        client.starttls(context=_verifying_context(ca_file))
        return _session(client.sock, None), None
    except ssl.SSLCertVerificationError as exc:
        verify_error = (exc.verify_code, exc.verify_message)
    except ssl.SSLError as exc:
        return None, f"négociation TLS impossible : {exc.reason or exc}"
    except smtplib.SMTPResponseException as exc:
        return None, f"STARTTLS refusé : {exc.smtp_code} {exc.smtp_error!r}"
    # Verification failed: come back without verifying, only to read the certificate and
    # report every problem it has.
    _close(client)
    try:
        retry, _ = _greet(address, port, timeout)
    except _ProbeFailure as failure:
        return TlsSession(None, None, None, verify_error), failure.info.message
    try:
        retry.ehlo()
        retry._host = host
        retry.starttls(context=_reading_context())
        return _session(retry.sock, verify_error), None
    except (OSError, smtplib.SMTPException) as exc:
        return TlsSession(None, None, None, verify_error), str(exc)
    finally:
        _close(retry)


def _session(sock: socket.socket | None, verify_error: tuple[int, str] | None) -> TlsSession:
    assert isinstance(sock, ssl.SSLSocket)
    der = sock.getpeercert(binary_form=True)
    cipher = sock.cipher()
    return TlsSession(
        version=sock.version(),
        cipher=cipher[0] if cipher else None,
        certificate=describe(der) if der else None,
        verify_error=verify_error,
    )


def _verifying_context(ca_file: Path | None) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=str(ca_file))
    # The name is judged by `certificates.judge`, so that a wrong name and an unknown
    # authority are both reported.
    context.check_hostname = False
    return context


def _reading_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _error_info(exc: BaseException) -> ErrorInfo:
    # smtplib wraps a read timeout into SMTPServerDisconnected; the cause is what matters.
    if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
        return ErrorInfo(reason="timeout", message="le serveur ne répond pas (délai dépassé)")
    if isinstance(exc, ConnectionRefusedError):
        return ErrorInfo(reason="connection", message="connexion refusée")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return ErrorInfo(reason="connection", message=f"connexion fermée par le serveur ({exc})")
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else exc.smtp_error
        )
        return ErrorInfo(reason="smtp", message=f"réponse {exc.smtp_code} {reply}")
    return ErrorInfo(reason="connection", message=f"connexion impossible : {exc}")


def _close(client: smtplib.SMTP) -> None:
    """Say QUIT when the conversation is still open, then close."""
    if client.sock is None:
        return
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()
