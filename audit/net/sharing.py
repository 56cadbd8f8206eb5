"""What the audits of one batch share: probe results, DNS answers, and a polite pace.

A consultant's practices often use the same mail provider: without sharing, a batch of 500
practices at one provider would open 500 SMTP sessions to each of its MX addresses and ask
the resolver the same provider names 500 times. `SharedNetwork` lives as long as the batch
(one per process: the local executor's threads share one, each Dask worker process has its
own) and is handed to every audit's `CheckContext`:

- probes of a server address (SMTP/STARTTLS, TLS versions, IMAP/POP/submission) are done
  once and their result reused by every practice pointing at that address;
- DNS responses are kept for their TTL (the smallest TTL in the response), so that the
  provider's records and the DNSSEC chain above every domain are asked once, not per audit;
  what the DNSSEC validator concludes from them (the state of the root, the TLD, the
  provider's zones; its MX's TLSA records) is worked out once a minute, not per audit;
- every connection to a server address and every DNS query to a resolver waits its turn
  in a per-address pace (`max_rate` per second), whatever the number of parallel audits.

Every cache is bounded (least recently used entries go first): memory stays flat however
many domains the batch holds.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

import dns.message
import dns.rdatatype

T = TypeVar("T")

#: Most probe results kept (one per server address and kind of probe).
MAX_PROBES = 4096
#: Most DNS responses kept, a few kilobytes each: the names several practices share
#: (providers' hosts, TLD and root keys), the ones asked again staying in (least recently
#: used go first); a practice's own names are never kept (see `CheckContext`).
MAX_DNS_ANSWERS = 5_000
#: Most DNSSEC conclusions kept (a zone's state or a validated name, outside any practice).
MAX_DNSSEC_FACTS = 4096
#: How long such a conclusion is reused, in seconds: far shorter than the TTL of the keys it
#: rests on, so that a key rollover or an expired signature is seen within a minute, as a
#: validating resolver caching its answers would (much later) see it.
DNSSEC_FACT_SECONDS = 60.0
#: Default paces: connections per second to one server address (a mail provider's MX sees
#: the whole batch as one polite client), queries per second to one resolver.
DEFAULT_MAX_RATE = 5.0
DEFAULT_MAX_DNS_RATE = 500.0


#: What must run before a TCP connection is opened to an address, in this thread.
_connection_pace: ContextVar[Callable[[str], None] | None] = ContextVar(
    "connection_pace", default=None
)


@contextmanager
def pacing(before: Callable[[str], None]) -> Iterator[None]:
    """Run `before(address)` ahead of every connection the clients open in this block.

    One probe may open several connections (a STARTTLS retry with old versions, a second
    handshake to read a refused certificate, the TLS assessment's extra handshakes): the
    pace must apply to each of them, not once per probe, so the clients themselves call
    `wait_for_connection_slot` right before connecting. A context variable rather than a
    parameter: the probe functions stay the same for a single audit, which paces nothing.
    """
    token = _connection_pace.set(before)
    try:
        yield
    finally:
        _connection_pace.reset(token)


def wait_for_connection_slot(address: str) -> None:
    """Called by every client right before it connects to `address` (see `pacing`)."""
    before = _connection_pace.get()
    if before is not None:
        before(address)


class Pacer:
    """At most `rate` operations per second per key (a server address, a resolver).

    Each caller books the next free slot of its key and sleeps until it; no thread holds
    the lock while sleeping, so other keys are never slowed down.
    """

    def __init__(self, rate: float | None) -> None:
        self._interval = 1.0 / rate if rate else 0.0
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, key: str) -> None:
        """Return when the next operation on `key` may start."""
        if not self._interval:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next.get(key, now))
            self._next[key] = slot + self._interval
        if slot > now:
            time.sleep(slot - now)


@dataclass
class _Entry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: bool = False
    value: Any = None
    error: BaseException | None = None
    expires: float = float("inf")


class _BoundedMemo:
    """Compute each key once while it is fresh; concurrent callers wait for the first one."""

    def __init__(self, max_entries: int) -> None:
        self._entries: OrderedDict[Any, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries

    def get(
        self,
        key: Any,
        compute: Callable[[], T],
        ttl_of: Callable[[T], float] | None = None,
        keep_errors: bool = True,
    ) -> T:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or (entry.done and entry.expires <= time.monotonic()):
                entry = self._entries[key] = _Entry()
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        with entry.lock:
            if not entry.done:
                try:
                    entry.value = compute()
                    if ttl_of is not None:
                        entry.expires = time.monotonic() + ttl_of(entry.value)
                except BaseException as exc:
                    if not keep_errors:
                        # A timeout of one resolver query is no fact about the name: the
                        # next audit asks again rather than inherit the failure.
                        with self._lock:
                            if self._entries.get(key) is entry:
                                del self._entries[key]
                        raise
                    entry.error = exc
                entry.done = True
        if entry.error is not None:
            raise entry.error
        return entry.value  # type: ignore[no-any-return]


def resolver_key(nameservers: Sequence[object]) -> str:
    """The key of a resolver's pace: its configured servers ("system" without any)."""
    return ",".join(map(str, nameservers)) or "system"


def response_ttl(response: dns.message.Message) -> float:
    """How long a response may be reused: its smallest TTL (0: not at all).

    A negative answer lives as long as its SOA allows (RFC 2308: min of the SOA's TTL and
    its MINIMUM field).
    """
    ttls = [rrset.ttl for rrset in (*response.answer, *response.authority)]
    for rrset in response.authority:
        if rrset.rdtype == dns.rdatatype.SOA:
            ttls.extend(rdata.minimum for rdata in rrset)
    return float(min(ttls)) if ttls else 0.0


class SharedNetwork:
    """Probe results, DNS answers and paces shared by every audit of one batch."""

    #: Memo kinds of `CheckContext` that describe a server address, not a practice.
    PROBE_KINDS = frozenset({"smtp", "tls-assessment", "client"})

    def __init__(
        self,
        max_rate: float | None = DEFAULT_MAX_RATE,
        max_dns_rate: float | None = DEFAULT_MAX_DNS_RATE,
    ) -> None:
        self._probes = _BoundedMemo(MAX_PROBES)
        self._dns = _BoundedMemo(MAX_DNS_ANSWERS)
        self._dnssec = _BoundedMemo(MAX_DNSSEC_FACTS)
        self._servers = Pacer(max_rate)
        self._resolvers = Pacer(max_dns_rate)
        self._address_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        #: Connections opened per server address and queries sent per resolver, for the
        #: benchmark and the batch's closing line.
        self.connections: Counter[str] = Counter()
        self.dns_queries = 0

    def probe(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """The probe `key` (kind, host, address…), done once per batch."""
        return self._probes.get(key, compute)

    def dns_answer(
        self, key: tuple[Any, ...], compute: Callable[[], dns.message.Message]
    ) -> dns.message.Message:
        """The DNS response for `key` (name, type), asked again only once its TTL is over."""
        return self._dns.get(key, compute, ttl_of=response_ttl, keep_errors=False)

    def dnssec_fact(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """A DNSSEC conclusion (zone state, validated name) of the batch's validators, worked
        out again after `DNSSEC_FACT_SECONDS`; a failure (no answer) is never kept."""
        return self._dnssec.get(
            key, compute, ttl_of=lambda _: DNSSEC_FACT_SECONDS, keep_errors=False
        )

    def address_lock(self, address: str) -> threading.Lock:
        """One connection at a time to `address`, across every audit of the batch."""
        with self._lock:
            return self._address_locks.setdefault(address, threading.Lock())

    def before_connection(self, address: str) -> None:
        """Wait for `address`'s next slot and count the connection."""
        self._servers.wait(address)
        with self._lock:
            self.connections[address] += 1

    def before_dns_query(self, resolver: str) -> None:
        """Wait for `resolver`'s next slot and count the query."""
        self._resolvers.wait(resolver)
        with self._lock:
            self.dns_queries += 1
