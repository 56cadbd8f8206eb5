"""What a check receives: the target, the network settings and shared, cached probes.

Checks open no sockets themselves: they go through this context, so that the resolver and
trust anchors chosen by the user apply everywhere and probes are shared between checks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import dns.message
import dns.rcode
import dns.resolver
from pydantic import JsonValue

from rgpd_audit.concurrency import parallel_map
from rgpd_audit.config import RunConfig
from rgpd_audit.errors import CheckError
from rgpd_audit.models import Target
from rgpd_audit.net import dns as dnsnet
from rgpd_audit.net.addresses import MAX_MX_HOSTS, NotRoutable, is_global, split_contactable
from rgpd_audit.net.dnssec import DnssecValidator
from rgpd_audit.net.mail_client import ClientProbe, probe_client
from rgpd_audit.net.sharing import SharedNetwork, pacing, resolver_key
from rgpd_audit.net.smtp import SmtpProbe, probe_smtp
from rgpd_audit.net.tls_versions import TlsAssessment, assess_tls
from rgpd_audit.net.trust_anchor import (
    TrustAnchorError,
    read_trust_anchor_file,
    root_trust_anchors,
)

if TYPE_CHECKING:
    from rgpd_audit.net.https import HttpsResponse
    from rgpd_audit.password.results import Assessment

T = TypeVar("T")
Item = TypeVar("Item")


@dataclass(frozen=True)
class MailExchanger:
    """One MX host with its preference and addresses.

    `lookup_errors` lists the address queries that got no answer: the addresses found are
    still probed, and a host left without any is "not resolvable now", not "has none".
    `addresses` are the ones the audit contacts; `non_routable` (loopback, private…) and
    `over_limit` (beyond `MAX_ADDRESSES_PER_HOST`) were found but are never contacted.
    """

    preference: int
    host: str
    addresses: tuple[str, ...]
    lookup_errors: tuple[str, ...] = ()
    non_routable: tuple[str, ...] = ()
    over_limit: tuple[str, ...] = ()

    @property
    def resolved(self) -> bool:
        """True when the DNS gave this host at least one address, contacted or not."""
        return bool(self.addresses or self.non_routable or self.over_limit)


@dataclass(frozen=True)
class MxSet:
    """The domain's MX, as found in DNS. `exists` is False for NXDOMAIN.

    `exchangers` holds the first `MAX_MX_HOSTS` by preference; `over_limit` the names of
    the others, neither resolved nor contacted.
    """

    exists: bool
    null_mx: bool
    exchangers: tuple[MailExchanger, ...]
    over_limit: tuple[str, ...] = ()


@dataclass
class _Memo:
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: bool = False
    value: Any = None
    error: BaseException | None = None


class CheckContext:
    """Per-target context shared by every check of one audit."""

    def __init__(
        self,
        target: Target,
        config: RunConfig,
        answers: Mapping[str, JsonValue] | None = None,
        password_tests: Sequence[Assessment] = (),
        shared: SharedNetwork | None = None,
    ) -> None:
        self.target = target
        self.config = config
        #: Questionnaire answers (question id → value), for checks that judge declared facts
        #: (password policy, providers holding health data); empty without a questionnaire.
        self.answers: Mapping[str, JsonValue] = dict(answers or {})
        #: Strength of the passwords tested during the interview (derived data only).
        self.password_tests: tuple[Assessment, ...] = tuple(password_tests)
        self.resolver: dns.resolver.Resolver = dnsnet.build_resolver(
            config.nameservers, config.timeout
        )
        self._memos: dict[tuple[Any, ...], _Memo] = {}
        self._memos_lock = threading.Lock()
        self._address_locks: dict[str, threading.Lock] = {}
        #: Probes, DNS answers and paces shared with the other audits of a batch (`batch`);
        #: None for a single audit, which shares nothing.
        self.shared = shared
        self._resolver_key = resolver_key(config.nameservers)

    def memo(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """Compute `key` once per audit; concurrent callers wait for the first one.

        A failure is remembered too, so a dead server is not asked again by every check.
        """
        with self._memos_lock:
            entry = self._memos.setdefault(key, _Memo())
        with entry.lock:
            if not entry.done:
                try:
                    entry.value = compute()
                except BaseException as exc:
                    entry.error = exc
                entry.done = True
        if entry.error is not None:
            raise entry.error
        # One table holds every key's value, untyped: this key's is what `compute` returned.
        value: T = entry.value
        return value

    def map(self, func: Callable[[Item], T], items: Sequence[Item]) -> list[T]:
        """`func` over `items` concurrently, results in order.

        Network waits add up when done one after the other (several MX, several addresses):
        checks use this instead of a loop whenever the items are independent.
        """
        return parallel_map(func, items)

    def lookup(self, name: str, rdtype: str) -> list[str] | None:
        """DNS records as text (`None` for NXDOMAIN), through the configured resolver."""
        return self.memo(("dns", name, rdtype), lambda: self._lookup(name, rdtype))

    def _lookup(self, name: str, rdtype: str) -> list[str] | None:
        # Every question is asked with DO and shared with the DNSSEC validator, so that each
        # (name, type) goes out once per audit. A resolver that rejects DO (an old middlebox)
        # gets the plain question; a timeout is not retried, the server is simply not answering.
        try:
            response = self.signed_query(name, rdtype)
        except CheckError as exc:
            if exc.reason == "timeout":
                raise
            if self.shared is not None:
                # The plain question is one more query to the resolver: it waits its turn
                # in the batch's pace like the others (a name the resolver refuses was
                # asked twice per audit, unpaced).
                self.shared.before_dns_query(self._resolver_key)
            return dnsnet.lookup(self.resolver, name, rdtype)
        return dnsnet.records_from_response(response, rdtype)

    def nothing_under(self, name: str) -> bool:
        """True when the DNS answers that `name` does not exist (NXDOMAIN, no alias).

        Then no name under it exists either (RFC 8020: "there really is nothing
        underneath"), so a check about to ask many names below it (32 DKIM selectors under
        `_domainkey`, six SRV services under `_tcp`) may ask this one instead; most
        practice domains publish neither. False when the name exists, even without
        records (an empty non-terminal above a DKIM key answers NODATA), and when the
        answer is unknown: the names below are then asked as usual.
        """
        try:
            response = self.signed_query(name, "TXT")
        except CheckError:
            return False
        # An alias at `name` pointing nowhere also comes back NXDOMAIN (the rcode is the
        # target's, RFC 6604), yet `name` itself exists and may have names under it.
        return response.rcode() == dns.rcode.NXDOMAIN and not response.answer

    def mx(self) -> MxSet:
        """The target domain's MX hosts and their addresses (cached)."""
        return self.memo(("mx", self.target.domain), self._find_mx)

    def sends_no_mail(self) -> bool:
        """Null MX (RFC 7505) or no MX at all: the domain is very likely not used for mail.

        False when the MX lookup fails: an unknown answer is no evidence either way.
        """
        try:
            mx = self.mx()
        except CheckError:
            return False
        return mx.exists and (mx.null_mx or not mx.exchangers)

    def may_contact(self, address: str) -> bool:
        """True when the audit may open a connection to `address`.

        Only globally routable addresses, unless the user opted in: the audited domain
        chooses these addresses and must not point the audit at the auditor's own network.
        """
        return self.config.allow_private_addresses or is_global(address)

    def _guard(self, host: str, address: str) -> None:
        # Last line of defence: discovery already leaves such addresses out.
        if not self.may_contact(address):
            raise NotRoutable(host, (address,))

    def smtp_probe(self, host: str, address: str) -> SmtpProbe:
        """The SMTP/STARTTLS facts of one MX address (cached, one connection per address)."""
        self._guard(host, address)
        return self.memo(
            ("smtp", host, address),
            lambda: self._shared_probe(("smtp", host, address), lambda: self._probe(host, address)),
        )

    def dnssec(self) -> DnssecValidator:
        """The audit's DNSSEC validator: from the trust anchor, through the configured resolver.

        Its questions, zone states and results live in this context's cache, so the domain's
        chain of trust is followed once for every check that needs it.
        """
        return self.memo(("dnssec-validator",), self._make_validator)

    def _make_validator(self) -> DnssecValidator:
        path = self.config.trust_anchor
        try:
            anchors = read_trust_anchor_file(path) if path else root_trust_anchors()
        except TrustAnchorError as exc:
            raise CheckError("dns", str(exc)) from None
        resolver, timeout = self.resolver, self.config.timeout
        return DnssecValidator(
            lambda name, rdtype: self._query_dnssec(resolver, name, rdtype, timeout),
            anchors,
            self.memo if self.shared is None else self._dnssec_memo,
            self.map,
        )

    def _dnssec_memo(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        # In a batch, what the validator concludes about a name outside the practice (the
        # root, the TLD, the provider's MX and its TLSA) is the same for every practice:
        # worked out once (the signatures checked once), not per audit, for a short while.
        # The practice's own names, and the raw questions, stay in this audit's memo.
        kind, name = key[0], key[1]
        if self.shared is None or kind not in ("dnssec-zone", "dnssec-result"):
            return self.memo(key, compute)
        if self._own_name(name):
            return self.memo(key, compute)
        shared, anchor = self.shared, str(self.config.trust_anchor or "")
        return self.memo(
            key, lambda: shared.dnssec_fact((self._resolver_key, anchor, *key), compute)
        )

    def _own_name(self, name: str) -> bool:
        """True for the audited domain and the names under it."""
        text = name.lower().rstrip(".")
        domain = self.target.domain.lower()
        return text == domain or text.endswith("." + domain)

    def http_get(self, url: str, max_bytes: int = 64 * 1024) -> HttpsResponse:
        """HTTPS GET of `url`, its host resolved through the configured resolver (cached).

        No redirect is followed and the body is cut at `max_bytes` (see `net.https`). Only
        contactable addresses are tried, at most `MAX_ADDRESSES_PER_HOST`; `NotRoutable`
        when the host has addresses but none may be contacted.
        """
        return self.memo(("https", url, max_bytes), lambda: self._http_get(url, max_bytes))

    def _http_get(self, url: str, max_bytes: int) -> HttpsResponse:
        # Imported here: requests is slow to import and most commands never fetch anything.
        from urllib.parse import urlsplit

        from rgpd_audit.net.https import HostNotFound, https_get

        host = urlsplit(url).hostname or ""
        answers = self.map(lambda rdtype: self.lookup(host, rdtype), ("A", "AAAA"))
        if all(answer is None for answer in answers):
            raise HostNotFound(f"{host} n'existe pas dans le DNS")
        found = [address for answer in answers for address in answer or []]
        addresses, refused, _ = split_contactable(found, self.config.allow_private_addresses)
        if refused and not addresses:
            raise NotRoutable(host, refused)
        return https_get(
            url,
            list(addresses),
            port=self.config.port("https"),
            timeout=self.config.timeout,
            ca_file=self.config.ca_file,
            max_bytes=max_bytes,
        )

    def tls_assessment(self, host: str, address: str) -> TlsAssessment | None:
        """TLS versions and weak suites of one MX address (cached; None without a TLS session).

        The extra handshakes wait for the address's lock, like every connection to it.
        """
        probe = self.smtp_probe(host, address)
        if probe.tls is None or probe.tls.version is None:
            return None
        return self.memo(
            ("tls-assessment", host, address),
            lambda: self._shared_probe(
                ("tls-assessment", host, address),
                lambda: self._locked(address, lambda: assess_tls(probe, self.config.timeout)),
            ),
        )

    def client_probe(self, service: str, host: str, address: str, port: int) -> ClientProbe:
        """IMAP/POP3/submission facts of one address (cached, one connection per address)."""
        self._guard(host, address)
        key = ("client", service, host, address, port)
        return self.memo(
            key,
            lambda: self._shared_probe(
                key,
                lambda: self._locked(
                    address,
                    lambda: probe_client(
                        service, host, address, port, self.config.timeout, self.config.ca_file
                    ),
                ),
            ),
        )

    def _locked(self, address: str, action: Callable[[], T]) -> T:
        # One connection at a time per address, whichever probe (or audit of the batch)
        # opens it; the batch's pace decides when it may start.
        with self._address_lock(address):
            if self.shared is None:
                return action()
            with pacing(self.shared.before_connection):
                return action()

    def _address_lock(self, address: str) -> threading.Lock:
        if self.shared is not None:
            return self.shared.address_lock(address)
        with self._memos_lock:
            return self._address_locks.setdefault(address, threading.Lock())

    def _shared_probe(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        # A server address is probed once per batch: every practice pointing at it gets
        # the same facts (same host name, address and port, hence the same conversation).
        if self.shared is None:
            return compute()
        return self.shared.probe((*key, self.config.port("smtp")), compute)

    def _query_dnssec(
        self, resolver: dns.resolver.Resolver, name: str, rdtype: str, timeout: float
    ) -> dns.message.Message:
        if self.shared is None:
            return dnsnet.query_dnssec(resolver, name, rdtype, timeout)
        shared = self.shared

        def ask() -> dns.message.Message:
            return dnsnet.query_dnssec(
                resolver, name, rdtype, timeout, lambda: shared.before_dns_query(self._resolver_key)
            )

        # The practice's own names are asked by its audit only (a client list holds each
        # domain once), whose memo already shares them between checks: kept for the batch,
        # they were most of its DNS cache (a few kilobytes per signed answer, some 30 per
        # practice) and made its memory grow with the number of practices.
        if self._own_name(name):
            return ask()
        # Within its TTL, the batch's other audits reuse the answer (the provider's names,
        # the TLD and root keys of every chain of trust).
        return shared.dns_answer((self._resolver_key, name.lower(), rdtype), ask)

    def signed_query(self, name: str, rdtype: str) -> dns.message.Message:
        """`name`/`rdtype` asked with the DO bit, the whole response (cached per audit).

        The DNSSEC validator caches its questions under the same key, so a record needed both
        for its content and for its signatures is asked once.
        """
        text = name.rstrip(".").lower() + "."
        return self.memo(
            ("dnssec-query", text, rdtype),
            lambda: self._query_dnssec(self.resolver, text, rdtype, self.config.timeout),
        )

    def _find_mx(self) -> MxSet:
        records = dnsnet.mx_pairs(self.lookup(self.target.domain, "MX"))
        if records is None:
            return MxSet(exists=False, null_mx=False, exchangers=())
        if len(records) == 1 and records[0][1] == ".":
            return MxSet(exists=True, null_mx=True, exchangers=())
        # A zone may list hundreds of MX: only the first ones are even resolved.
        # A host listed twice keeps its lowest preference and counts once.
        first: dict[str, int] = {}
        for pref, host in records:
            first.setdefault(host, pref)
        records = [(pref, host) for host, pref in first.items()]
        kept, over_limit = records[:MAX_MX_HOSTS], records[MAX_MX_HOSTS:]
        queries = [(host, rdtype) for _, host in kept for rdtype in ("A", "AAAA")]
        found = self.map(self._addresses, queries)
        answers = dict(zip(queries, found, strict=True))
        exchangers = []
        for pref, host in kept:
            results = [answers[host, "A"], answers[host, "AAAA"]]
            every = [a for r in results if isinstance(r, list) for a in r]
            errors = tuple(r.message for r in results if isinstance(r, CheckError))
            addresses, non_routable, extra = split_contactable(
                every, self.config.allow_private_addresses
            )
            exchangers.append(MailExchanger(pref, host, addresses, errors, non_routable, extra))
        return MxSet(
            exists=True,
            null_mx=False,
            exchangers=tuple(exchangers),
            over_limit=tuple(dict.fromkeys(host for _, host in over_limit)),
        )

    def _addresses(self, query: tuple[str, str]) -> list[str] | CheckError:
        # One address family failing (a dead backup zone, a resolver dropping AAAA) must not
        # cost the verdicts on the addresses that did resolve.
        try:
            return self.lookup(*query) or []
        except CheckError as exc:
            return exc

    def _probe(self, host: str, address: str) -> SmtpProbe:
        # Mail servers limit parallel connections per client; a second one at the same time
        # is often answered with 421, which must not be read as a missing feature.
        return self._locked(
            address,
            lambda: probe_smtp(
                host, address, self.config.port("smtp"), self.config.timeout, self.config.ca_file
            ),
        )
