"""Misbehaving mail servers of the lab, written on raw sockets.

aiosmtpd speaks SMTP correctly, which is exactly what these scenarios must not do. One
small server class plays every broken conversation, chosen by `Misbehaviour`; a
`FilteredPort` plays the MX whose port never answers, without serving anything at all.
"""

from __future__ import annotations

import asyncio
import os
import socket
import struct
import time
from enum import StrEnum
from functools import partial

from rgpd_audit.lab.errors import LabError
from rgpd_audit.lab.session_loop import SessionLoop

BUSY_GREETING = "421 4.7.0 Too many connections, try again later"
STARTTLS_REFUSAL = "454 4.7.0 TLS not available due to temporary reason"
UNRECOGNIZED = "500 5.5.1 Command unrecognized"
GREYLISTING = "451 4.7.1 Greylisted, please try again later"
#: Sent in place of the TLS handshake: its first byte is no TLS record type, so the
#: client's TLS layer fails on it at once.
NOT_TLS = b"*** ceci n'est pas un enregistrement TLS ***\r\n"
#: Size of the hostile servers' floods (banner, garbage after STARTTLS).
FLOOD_BYTES = 1024 * 1024
#: Pause of the drip server between two bytes, in seconds.
DRIP_INTERVAL = 1.0
_FLOOD_LINE = b"220-" + b"x" * 1020 + b"\r\n"


class Misbehaviour(StrEnum):
    """How a lab MX host departs from a working SMTP server."""

    #: Greets with 421 (too many connections) and hangs up.
    BUSY = "occupe"
    #: Advertises STARTTLS but answers it with 454.
    STARTTLS_REFUSED = "starttls-refuse"
    #: Accepts STARTTLS with 220, then answers the ClientHello with bytes that are not TLS.
    TLS_BROKEN = "tls-casse"
    #: Pre-ESMTP: 500 to EHLO, 250 to HELO, no STARTTLS.
    NO_EHLO = "ehlo-refuse"
    #: TCP connect times out, as when a firewall drops port 25 (see `FilteredPort`).
    FILTERED = "filtre"
    #: Greylisting: greets, then answers EHLO and HELO with 451 (try again later).
    GREYLISTED = "liste-grise"
    #: Hostile: a greeting of 1 MiB, in continuation lines of 1 KiB.
    HUGE_BANNER = "banniere-geante"
    #: Hostile: sends its greeting one byte per second, so that no single read times out.
    DRIP = "goutte-a-goutte"
    #: Hostile: accepts STARTTLS, reads the ClientHello, then never answers it.
    STALL_HANDSHAKE = "negociation-bloquee"
    #: Hostile: accepts STARTTLS, then sends 1 MiB of random bytes instead of TLS.
    GARBAGE_AFTER_STARTTLS = "dechets-apres-starttls"


class MisbehavingSmtpServer:
    """Plays one `Misbehaviour` (any but FILTERED) on a listening socket, in its own thread.

    It speaks only as much SMTP as an audit uses: greeting, EHLO/HELO, STARTTLS, NOOP,
    RSET and QUIT; anything else gets `UNRECOGNIZED`.
    """

    def __init__(
        self,
        sock: socket.socket,
        *,
        hostname: str,
        ident: str,
        misbehaviour: Misbehaviour,
        greeting_delay: float = 0.0,
    ) -> None:
        if misbehaviour is Misbehaviour.FILTERED:
            raise ValueError("un port filtré ne sert rien : utiliser FilteredPort")
        self.misbehaviour = misbehaviour
        self._sock = sock
        self._hostname = hostname
        self._ident = ident
        self._greeting_delay = greeting_delay
        self._serving = SessionLoop(self._serve, f"rgpd-lab-smtp-{misbehaviour}")

    def start(self) -> None:
        """Start serving in a background thread."""
        self._serving.start()

    def stop(self) -> None:
        """Drop every session, whatever it is waiting for, and close the listening socket."""
        self._serving.stop()
        self._sock.close()

    async def _serve(self) -> None:
        server = await asyncio.start_server(self._accept, sock=self._sock)
        try:
            await self._serving.wait_stopped()
        finally:
            await self._serving.shut_down([server])

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._serving.spawn(partial(self._session, reader, writer), writer)

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._greeting_delay > 0:
            await asyncio.sleep(self._greeting_delay)
        if self.misbehaviour is Misbehaviour.BUSY:
            await _reply(writer, BUSY_GREETING)
            return
        if self.misbehaviour is Misbehaviour.HUGE_BANNER:
            await _flood(writer, _FLOOD_LINE)
        greeting = f"220 {self._hostname} {self._ident}"
        if self.misbehaviour is Misbehaviour.DRIP:
            await _drip(writer, greeting.encode() + b"\r\n")
        else:
            await _reply(writer, greeting)
        while line := await reader.readline():
            verb = (line.split() or [b""])[0].upper()
            if verb == b"QUIT":
                await _reply(writer, "221 2.0.0 Au revoir")
                return
            if verb == b"STARTTLS" and self.misbehaviour in _AFTER_STARTTLS:
                await _reply(writer, "220 2.0.0 Ready to start TLS")
                await _AFTER_STARTTLS[self.misbehaviour](reader, writer)
                return
            await _reply(writer, self._answer(verb))

    def _answer(self, verb: bytes) -> str:
        if self.misbehaviour is Misbehaviour.GREYLISTED and verb in (b"EHLO", b"HELO"):
            return GREYLISTING
        esmtp = self.misbehaviour is not Misbehaviour.NO_EHLO
        if verb == b"EHLO" and esmtp:
            return f"250-{self._hostname}\r\n250 STARTTLS"
        if verb == b"HELO":
            return f"250 {self._hostname}"
        if verb == b"STARTTLS" and self.misbehaviour is Misbehaviour.STARTTLS_REFUSED:
            return STARTTLS_REFUSAL
        if verb in (b"NOOP", b"RSET"):
            return "250 2.0.0 OK"
        return UNRECOGNIZED


async def _reply(writer: asyncio.StreamWriter, reply: str) -> None:
    writer.write(reply.encode() + b"\r\n")
    await writer.drain()


async def _break_handshake(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    # Wait for the ClientHello: bytes sent right after the 220 could be swallowed by the
    # client's SMTP line buffer and never reach its TLS layer.
    if not await reader.read(1):
        return
    writer.write(NOT_TLS)
    await writer.drain()
    # Half-close, then read until the client hangs up: closing with part of its handshake
    # unread would make the kernel answer with RST, which the client could report as a
    # reset connection instead of a failed handshake.
    writer.write_eof()
    while await reader.read(4096):
        pass


async def _stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    # Read and ignore the ClientHello and anything after it, answer nothing, until the
    # client gives up and hangs up.
    while await reader.read(4096):
        pass


async def _garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    if not await reader.read(1):
        return
    # Random bytes are generated chunk by chunk: the server itself stays small.
    await _flood(writer, b"", random_chunks=True)


_AFTER_STARTTLS = {
    Misbehaviour.TLS_BROKEN: _break_handshake,
    Misbehaviour.STALL_HANDSHAKE: _stall,
    Misbehaviour.GARBAGE_AFTER_STARTTLS: _garbage,
}


async def _flood(writer: asyncio.StreamWriter, line: bytes, random_chunks: bool = False) -> None:
    sent = 0
    while sent < FLOOD_BYTES:
        chunk = os.urandom(16384) if random_chunks else line * 16
        writer.write(chunk)
        # drain() raises once the client has hung up, which ends the flood.
        await writer.drain()
        sent += len(chunk)


async def _drip(writer: asyncio.StreamWriter, data: bytes) -> None:
    for index in range(len(data)):
        writer.write(data[index : index + 1])
        await writer.drain()
        await asyncio.sleep(DRIP_INTERVAL)


class FilteredPort:
    """A listening socket whose accept queue the lab keeps full, so that connecting times out.

    With a backlog of 0 Linux queues a single connection; once it is queued, further SYNs
    are dropped without any answer, neither accepted nor refused, just like port 25 behind
    a firewall that drops it: clients retransmit until their own connect() timeout. The lab
    queues that connection itself and never accepts it. No root and no iptables involved.
    """

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._filler: socket.socket | None = None

    def start(self, settle: float = 1.0) -> None:
        """Fill the accept queue; raise LabError if the kernel does not report it full."""
        self._sock.listen(0)
        self._filler = socket.create_connection(self._sock.getsockname()[:2], timeout=settle)
        # connect() returns once the SYN-ACK is in; the ACK that puts the connection into
        # the accept queue may not have been processed yet.
        deadline = time.monotonic() + settle
        while not accept_queue_full(self._sock):
            if time.monotonic() > deadline:
                raise LabError(
                    "le port filtré du laboratoire n'a pas pu être saturé : ce noyau ne "
                    "se comporte pas comme Linux avec une file d'attente de connexions pleine"
                )
            time.sleep(0.001)

    def stop(self) -> None:
        """Close the listening socket (the kernel resets the queued connection) and the filler."""
        self._sock.close()
        if self._filler is not None:
            self._filler.close()


def accept_queue_full(sock: socket.socket) -> bool:
    """Whether Linux drops new SYNs for listening `sock` because its accept queue is full."""
    # For a listening socket Linux's tcp_info carries the accept queue length in
    # tcpi_unacked and its limit (the backlog) in tcpi_sacked; the kernel drops incoming
    # SYNs when length > limit (sk_acceptq_is_full).
    info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 32)
    queued, backlog = struct.unpack_from("=24xII", info)
    return bool(queued > backlog)  # unpack_from's values are typed Any
