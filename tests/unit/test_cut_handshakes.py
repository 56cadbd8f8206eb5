"""TLS handshakes cut short say nothing definite about a server: never a failure.

Two real servers on loopback: one drips its SMTP greeting byte by byte (no single read
times out) and stalls in the handshake, so that our own overall deadline cuts it; one
accepts a connection on an implicit-TLS port and closes it at once, as a connection limit
does.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from rgpd_audit.net.mail_client import probe_client
from rgpd_audit.net.smtp import probe_smtp

TIMEOUT = 1.0


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[socket.socket], None]], int]]:
    listeners: list[socket.socket] = []

    def start(handle: Callable[[socket.socket], None]) -> int:
        listener = socket.create_server(("127.0.0.1", 0))
        listeners.append(listener)

        def accept() -> None:
            while True:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                threading.Thread(target=handle, args=(conn,), daemon=True).start()

        threading.Thread(target=accept, daemon=True).start()
        return int(listener.getsockname()[1])

    yield start
    for listener in listeners:
        listener.close()


def _slow_dialogue(conn: socket.socket) -> None:
    # The greeting takes 1.2 timeouts, in four pieces (no read waits a whole timeout), then
    # the handshake stalls: the overall deadline (2 timeouts) cuts it before the handshake's
    # own timeout would (at 2.2 timeouts or later). Four sleeps, not one per byte: on a
    # loaded machine each sleep overruns, and 25 overruns once pushed the greeting itself
    # past the deadline; an overrun now only moves the handshake's own timeout further away.
    greeting = b"220 mx.exemple.fr ESMTP\r\n"
    pieces = [greeting[start : start + 7] for start in range(0, len(greeting), 7)]
    with conn, conn.makefile("rb") as lines:
        try:
            for piece in pieces:
                conn.sendall(piece)
                time.sleep(1.2 * TIMEOUT / len(pieces))
            lines.readline()
            conn.sendall(b"250-mx.exemple.fr\r\n250 STARTTLS\r\n")
            lines.readline()
            conn.sendall(b"220 allez-y\r\n")
            conn.recv(4096)
            time.sleep(10 * TIMEOUT)
        except OSError:
            pass


def test_a_handshake_cut_by_the_overall_deadline_is_temporary(serve) -> None:
    port = serve(_slow_dialogue)
    probe = probe_smtp("mx.exemple.fr", "127.0.0.1", port, TIMEOUT, None)
    assert probe.starttls_offered
    assert probe.tls is None
    assert probe.tls_failure is not None
    assert probe.tls_failure.temporary and probe.tls_failure.reason == "timeout"
    assert "trop lentement" in probe.tls_failure.message


@pytest.mark.parametrize("service", ["imaps", "submissions", "pop3s"])
def test_a_connection_closed_before_any_tls_reply_is_temporary(serve, service: str) -> None:
    port = serve(lambda conn: conn.close())
    probe = probe_client(service, "mail.exemple.fr", "127.0.0.1", port, TIMEOUT, None)
    assert probe.tls is None
    assert probe.tls_failure is not None and probe.tls_failure.temporary
