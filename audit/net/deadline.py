"""An overall time limit for one connection, whatever it is waiting for.

Per-read socket timeouts do not bound a conversation: a server that sends one byte per
second never trips them. A timer shuts the socket down instead, which ends any pending read,
in plain text or in the middle of a TLS handshake.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class Deadline:
    """Shuts down the watched socket `seconds` after `watch`, unless stopped first."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._timer: threading.Timer | None = None
        self._watched: socket.socket | None = None

    def watch(self, sock: socket.socket) -> None:
        """Start the clock for `sock` (once per connection)."""
        # A duplicate descriptor stays valid when TLS wraps the socket, and shutting it down
        # acts on the connection itself.
        self._watched = sock.dup()
        self._timer = threading.Timer(self.seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def stop(self) -> None:
        """Stop the clock and release the duplicate descriptor; harmless when called twice."""
        if self._timer is not None:
            self._timer.cancel()
        if self._watched is not None:
            self._watched.close()
            self._watched = None

    def _expire(self) -> None:
        self.expired = True
        watched = self._watched
        if watched is not None:
            # The peer may already have closed the connection.
            with contextlib.suppress(OSError):
                watched.shutdown(socket.SHUT_RDWR)
