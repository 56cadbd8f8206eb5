"""Authoritative DNS server of the lab, on loopback only, built on dnspython.

It answers from the zone files shipped in `zones/` and never recurses: a name outside those
zones gets REFUSED, so an audit run against the lab cannot leak a query to the Internet.
Wildcards are not implemented; the lab zones use none. Signed zones are served the DNSSEC
way when the query sets the DO bit: RRSIG with the data, NSEC proofs with negative answers,
and DS answered from the parent side of a zone cut (RFC 4035 §3.1).
"""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from importlib.resources import files

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.node
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
import dns.zone

from rgpd_audit.lab.errors import LabError
from rgpd_audit.lab.service import LabService

log = logging.getLogger(__name__)

#: Classic DNS limit over UDP for a client that did not announce a larger payload (RFC 1035).
UDP_DEFAULT_PAYLOAD = 512
TCP_MAX_MESSAGE = 65535
#: Bounds a CNAME chain so that a loop between two lab zones cannot spin forever.
MAX_CNAME_CHAIN = 8
#: An idle TCP client is dropped after this long, so its thread does not live forever.
TCP_IDLE_TIMEOUT = 10.0
#: What the lab's own root and TLD answer: the questions of a DNSSEC chain of trust, no more.
_CHAIN_TYPES = frozenset(
    (dns.rdatatype.DS, dns.rdatatype.DNSKEY, dns.rdatatype.SOA, dns.rdatatype.NS)
)
#: Enough workers for any test or demo; each worker may sit in the answer delay.
MAX_WORKERS = 64
#: Most query arrival times kept (see `DnsServer.query_times`).
MAX_QUERY_TIMES = 200_000


def load_zones() -> list[dns.zone.Zone]:
    """Parse every `*.zone` file shipped in `rgpd_audit.lab/zones`, with absolute names."""
    zones = []
    folder = files("rgpd_audit.lab") / "zones"
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if entry.name.endswith(".zone"):
            # origin=None: each file names its own origin with $ORIGIN; check_origin (the
            # default) rejects a zone without SOA and NS at its apex.
            zones.append(dns.zone.from_text(entry.read_text("utf-8"), relativize=False))
    return zones


def origin_of(zone: dns.zone.Zone) -> dns.name.Name:
    """The apex of a lab zone: every zone file names it ($ORIGIN), as `_empty_zone` does."""
    if zone.origin is None:
        raise LabError("zone du laboratoire sans origine ($ORIGIN)")
    return zone.origin


class DnsServer(LabService):
    """Authoritative server for `zones` on `host`, same port over UDP and TCP.

    Each query is answered in its own worker thread so that `delay` (seconds added before
    every answer) slows every client down without serialising concurrent queries.
    Zones in `chain_only` (the lab's own root and TLD) answer only DS, DNSKEY, SOA and NS
    questions about their apex and their delegations: anything else stays REFUSED, so that
    no name outside the lab's zones seems to exist.
    """

    def __init__(
        self,
        zones: Iterable[dns.zone.Zone],
        *,
        host: str = "127.0.0.1",
        delay: float = 0.0,
        attempts: int = 50,
        chain_only: Iterable[dns.name.Name] = (),
    ) -> None:
        if delay < 0:
            raise ValueError("le délai DNS ne peut pas être négatif")
        # Longest origin first, so that a child zone wins over its parent.
        self.zones = sorted(zones, key=lambda zone: len(origin_of(zone).labels), reverse=True)
        self.host = host
        self.delay = delay
        self._attempts = attempts
        self._stopping = threading.Event()
        self._udp: socket.socket | None = None
        self._tcp: socket.socket | None = None
        self._wake_r, self._wake_w = socket.socketpair()
        self._listener: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._connections: dict[socket.socket, threading.Thread] = {}
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str]] = Counter()
        # Arrival time of each query (time.monotonic()), to check a client's pace from the
        # server's side; bounded, the benchmark's thousand domains stay well under it.
        self._times: deque[float] = deque(maxlen=MAX_QUERY_TIMES)
        self._chain_names = _chain_names(
            [zone for zone in self.zones if zone.origin in set(chain_only)]
        )

    def query_counts(self) -> dict[tuple[str, str], int]:
        """Queries received so far per (name, type), to compare with the questions needed."""
        with self._lock:
            return dict(self._counts)

    def query_times(self) -> list[float]:
        """`time.monotonic()` at the arrival of every query so far, in order (all names)."""
        with self._lock:
            return list(self._times)

    @property
    def port(self) -> int:
        """Port on which the server listens, over both UDP and TCP."""
        if self._udp is None:
            raise LabError("le serveur DNS du laboratoire n'est pas démarré")
        return int(self._udp.getsockname()[1])

    def start(self) -> None:
        """Bind UDP and TCP on one free port and start answering."""
        try:
            self._udp, self._tcp = self._bind()
            self._pool = ThreadPoolExecutor(MAX_WORKERS, thread_name_prefix="rgpd-lab-dns")
            self._listener = threading.Thread(
                target=self._listen, name="rgpd-lab-dns-listener", daemon=True
            )
            self._listener.start()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop answering, close every socket and wait for the worker threads."""
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._wake_w.send(b"\0")
        if self._listener is not None:
            self._listener.join()
        with self._lock:
            connections = dict(self._connections)
        for conn in connections:
            # Wakes up the thread blocked in recv(): it then sees end of stream and exits.
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for thread in connections.values():
            thread.join()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        for sock in (self._udp, self._tcp, self._wake_r, self._wake_w):
            if sock is not None:
                sock.close()

    def _bind(self) -> tuple[socket.socket, socket.socket]:
        # The kernel picks the UDP port; TCP must then get the same number, which another
        # program may hold: try again with another port.
        for _ in range(self._attempts):
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                udp.bind((self.host, 0))
                tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                tcp.bind((self.host, udp.getsockname()[1]))
                tcp.listen(64)
            except OSError:
                udp.close()
                tcp.close()
                continue
            udp.setblocking(False)
            tcp.setblocking(False)
            return udp, tcp
        raise LabError(
            f"impossible de trouver un port libre pour le serveur DNS du laboratoire "
            f"sur {self.host}"
        )

    def _listen(self) -> None:
        assert self._udp is not None and self._tcp is not None and self._pool is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self._udp, selectors.EVENT_READ)
            selector.register(self._tcp, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self._udp:
                        self._read_udp()
                    elif key.fileobj is self._tcp:
                        self._accept_tcp()

    def _read_udp(self) -> None:
        assert self._udp is not None and self._pool is not None
        try:
            wire, peer = self._udp.recvfrom(TCP_MAX_MESSAGE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            # e.g. ICMP port unreachable reported for an earlier answer: not our problem.
            return
        self._pool.submit(self._answer_udp, wire, peer)

    def _answer_udp(self, wire: bytes, peer: tuple[str, int]) -> None:
        assert self._udp is not None
        try:
            reply = self._reply(wire, over_udp=True)
            if reply is not None:
                self._udp.sendto(reply, peer)
        except OSError:
            pass
        except Exception:
            log.exception("erreur du serveur DNS du laboratoire")

    def _accept_tcp(self) -> None:
        assert self._tcp is not None
        try:
            conn, _ = self._tcp.accept()
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return
        conn.setblocking(True)
        conn.settimeout(TCP_IDLE_TIMEOUT)
        thread = threading.Thread(
            target=self._serve_tcp, args=(conn,), name="rgpd-lab-dns-tcp", daemon=True
        )
        with self._lock:
            self._connections[conn] = thread
        thread.start()

    def _serve_tcp(self, conn: socket.socket) -> None:
        try:
            while not self._stopping.is_set():
                header = _recv_exactly(conn, 2)
                if header is None:
                    break
                wire = _recv_exactly(conn, int.from_bytes(header, "big"))
                if wire is None:
                    break
                reply = self._reply(wire, over_udp=False)
                if reply is None:
                    break
                conn.sendall(len(reply).to_bytes(2, "big") + reply)
        except OSError:
            pass
        except Exception:
            log.exception("erreur du serveur DNS du laboratoire")
        finally:
            with self._lock:
                self._connections.pop(conn, None)
            conn.close()

    def _reply(self, wire: bytes, *, over_udp: bool) -> bytes | None:
        """Return the wire answer to `wire`, or None when nothing must be sent back."""
        try:
            query = dns.message.from_wire(wire)
        except dns.message.ShortHeader:
            return None
        except dns.exception.DNSException:
            return _format_error(wire)
        if query.flags & dns.flags.QR:
            return None
        if len(query.question) == 1:
            question = query.question[0]
            key = (question.name.to_text().lower(), dns.rdatatype.to_text(question.rdtype))
            with self._lock:
                self._counts[key] += 1
                self._times.append(time.monotonic())
        response = self.answer(query)
        # wait() rather than sleep(): stopping the lab cuts the delay short.
        if self._stopping.wait(self.delay):
            return None
        if not over_udp:
            limit = TCP_MAX_MESSAGE
        elif query.edns >= 0:
            limit = max(UDP_DEFAULT_PAYLOAD, query.payload)
        else:
            limit = UDP_DEFAULT_PAYLOAD
        # prefer_truncation sets TC when the answer does not fit: the client retries over TCP.
        return response.to_wire(max_size=limit, prefer_truncation=True)

    def answer(self, query: dns.message.Message) -> dns.message.Message:
        """Build the authoritative response to `query` from the served zones."""
        response = dns.message.make_response(query)
        if query.opcode() != dns.opcode.QUERY:
            response.set_rcode(dns.rcode.NOTIMP)
            return response
        if len(query.question) != 1:
            response.set_rcode(dns.rcode.FORMERR)
            return response
        question = query.question[0]
        zone = self._zone_for(question.name, question.rdtype)
        if zone is None or question.rdclass != dns.rdataclass.IN:
            response.set_rcode(dns.rcode.REFUSED)
            return response
        response.flags |= dns.flags.AA
        dnssec = bool(query.ednsflags & dns.flags.DO)
        self._resolve(response, zone, question.name, question.rdtype, dnssec)
        return response

    def _zone_for(
        self, name: dns.name.Name, rdtype: dns.rdatatype.RdataType | None = None
    ) -> dns.zone.Zone | None:
        for zone in self.zones:
            origin = origin_of(zone)
            # The DS of a zone is published by its parent, on the parent side of the cut.
            if rdtype == dns.rdatatype.DS and name == origin and len(name.labels) > 1:
                continue
            if name.is_subdomain(origin):
                if origin in self._chain_names and (
                    name not in self._chain_names[origin] or rdtype not in _CHAIN_TYPES
                ):
                    return None
                return zone
        return None

    def _resolve(
        self,
        response: dns.message.Message,
        zone: dns.zone.Zone,
        name: dns.name.Name,
        rdtype: dns.rdatatype.RdataType,
        dnssec: bool = False,
    ) -> None:
        for _ in range(MAX_CNAME_CHAIN):
            node = zone.get_node(name)
            if node is None:
                # An empty non-terminal (e.g. `_domainkey` above a DKIM key) exists: NODATA.
                empty_non_terminal = any(
                    other != name and other.is_subdomain(name) for other in zone.nodes
                )
                if not empty_non_terminal:
                    response.set_rcode(dns.rcode.NXDOMAIN)
                _add_soa(response, zone, dnssec)
                if dnssec:
                    _add_denial(response, zone, name, nxdomain=not empty_non_terminal)
                return
            signatures = node if dnssec else None
            cname = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
            if cname is not None and rdtype not in (dns.rdatatype.CNAME, dns.rdatatype.ANY):
                _add_answer(response, name, cname, signatures)
                target = cname[0].target
                next_zone = self._zone_for(target)
                if next_zone is None:
                    # Outside the lab: the client may chase it, we never do.
                    return
                zone, name = next_zone, target
                continue
            if rdtype == dns.rdatatype.ANY:
                rdatasets = list(node.rdatasets)
            else:
                found = node.get_rdataset(dns.rdataclass.IN, rdtype)
                rdatasets = [found] if found is not None else []
            if not rdatasets:
                _add_soa(response, zone, dnssec)
                if dnssec:
                    # NODATA: the NSEC of the name itself lists the types it does have.
                    _add_signed(response.authority, name, node, dns.rdatatype.NSEC)
            for rdataset in rdatasets:
                _add_answer(response, name, rdataset, signatures)
            return


def _add_answer(
    response: dns.message.Message,
    name: dns.name.Name,
    rdataset: dns.rdataset.Rdataset,
    signatures: dns.node.Node | None = None,
) -> None:
    response.answer.append(dns.rrset.from_rdata_list(name, rdataset.ttl, list(rdataset)))
    if signatures is not None and rdataset.rdtype != dns.rdatatype.RRSIG:
        rrsig = signatures.get_rdataset(dns.rdataclass.IN, dns.rdatatype.RRSIG, rdataset.rdtype)
        if rrsig is not None:
            response.answer.append(dns.rrset.from_rdata_list(name, rrsig.ttl, list(rrsig)))


def _add_soa(response: dns.message.Message, zone: dns.zone.Zone, dnssec: bool = False) -> None:
    origin = origin_of(zone)
    soa = zone.find_rdataset(origin, dns.rdatatype.SOA)
    # RFC 2308: a negative answer is cached for the smaller of the SOA TTL and MINIMUM.
    ttl = min(soa.ttl, soa[0].minimum)
    response.authority.append(dns.rrset.from_rdata_list(origin, ttl, list(soa)))
    if dnssec:
        rrsig = zone.get_rdataset(origin, dns.rdatatype.RRSIG, dns.rdatatype.SOA)
        if rrsig is not None:
            response.authority.append(dns.rrset.from_rdata_list(origin, ttl, list(rrsig)))


def _add_signed(
    section: list[dns.rrset.RRset],
    name: dns.name.Name,
    node: dns.node.Node,
    rdtype: dns.rdatatype.RdataType,
) -> None:
    rdataset = node.get_rdataset(dns.rdataclass.IN, rdtype)
    if rdataset is None:
        return
    rrset = dns.rrset.from_rdata_list(name, rdataset.ttl, list(rdataset))
    if rrset not in section:
        section.append(rrset)
        rrsig = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.RRSIG, rdtype)
        if rrsig is not None:
            section.append(dns.rrset.from_rdata_list(name, rrsig.ttl, list(rrsig)))


def _add_denial(
    response: dns.message.Message, zone: dns.zone.Zone, name: dns.name.Name, *, nxdomain: bool
) -> None:
    """Add the NSEC records proving that `name` does not exist (or is an empty non-terminal)."""
    names = [name]
    if nxdomain:
        # RFC 4035 §3.1.3.2: also prove that no wildcard at the closest encloser could match.
        encloser = name.parent()
        while encloser != zone.origin and not any(
            other.is_subdomain(encloser) for other in zone.nodes
        ):
            encloser = encloser.parent()
        names.append(dns.name.Name((b"*", *encloser.labels)))
    for wanted in names:
        owner = _covering_nsec(zone, wanted)
        if owner is not None:
            _add_signed(response.authority, owner, zone.nodes[owner], dns.rdatatype.NSEC)


def _covering_nsec(zone: dns.zone.Zone, name: dns.name.Name) -> dns.name.Name | None:
    for owner, node in zone.nodes.items():
        nsec = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.NSEC)
        if nsec is None:
            continue
        after = nsec[0].next
        # The last NSEC of the zone points back to the apex: its interval wraps around.
        wraps = owner >= after
        if (owner < name < after) if not wraps else (name > owner or name < after):
            return owner
    return None


def _chain_names(zones: list[dns.zone.Zone]) -> dict[dns.name.Name, set[dns.name.Name]]:
    """For each chain-only zone, the names it answers for: apex, delegations, names between."""
    allowed: dict[dns.name.Name, set[dns.name.Name]] = {}
    for zone in zones:
        origin = origin_of(zone)
        names = {origin}
        for owner, node in zone.nodes.items():
            if owner != origin and node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.NS):
                step = owner
                while step != origin:
                    names.add(step)
                    step = step.parent()
        allowed[origin] = names
    return allowed


def _format_error(wire: bytes) -> bytes:
    # The query could not be parsed, so dnspython cannot build the response: echo the id
    # and opcode by hand, set QR and rcode FORMERR, and leave every section empty.
    opcode_bits = wire[2] & 0x78
    return wire[:2] + bytes([0x80 | opcode_bits, dns.rcode.FORMERR]) + bytes(8)


def _recv_exactly(conn: socket.socket, size: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = conn.recv(size - len(chunks))
        if not chunk:
            return None
        chunks += chunk
    return bytes(chunks)
