"""DNS lookups through the resolver chosen by the user (`--nameserver`) or the system's."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.nameserver
import dns.query
import dns.rcode
import dns.rdatatype
import dns.resolver
import dns.rrset

from rgpd_audit.config import Nameserver
from rgpd_audit.errors import CheckError
from rgpd_audit.paths import os_error_text


def build_resolver(nameservers: Sequence[Nameserver], timeout: float) -> dns.resolver.Resolver:
    """A resolver that asks `nameservers` (or the system's when empty), `timeout` per query."""
    if nameservers:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [dns.nameserver.Do53Nameserver(ns.ip, ns.port) for ns in nameservers]
    else:
        try:
            resolver = dns.resolver.Resolver()
        except dns.resolver.NoResolverConfiguration:
            # Words for the report as well as the console: no option name (the preflight,
            # which meets this first, adds the option to its console message).
            raise CheckError(
                "dns", "aucun résolveur DNS n'est configuré sur le poste de l'audit"
            ) from None
    resolver.timeout = timeout
    resolver.lifetime = timeout
    # Cached answers let six checks share one lookup of the same MX name.
    resolver.cache = dns.resolver.LRUCache()
    return resolver


def lookup(resolver: dns.resolver.Resolver, name: str, rdtype: str) -> list[str] | None:
    """Records of `rdtype` at `name` as text; `None` when the name does not exist (NXDOMAIN).

    An existing name without that type (NODATA) gives `[]`. Failures to get any answer raise
    `CheckError` so that the engine reports an indeterminate finding, never a false verdict.
    """
    try:
        answer = resolver.resolve(name, rdtype, raise_on_no_answer=False)
    except dns.resolver.NXDOMAIN:
        return None
    except dns.resolver.LifetimeTimeout:
        raise CheckError("timeout", f"pas de réponse DNS pour {name} {rdtype}") from None
    except dns.resolver.NoNameservers:
        raise CheckError(
            "dns", f"serveurs DNS en échec pour {name} {rdtype} (refus ou erreur du serveur)"
        ) from None
    except dns.exception.DNSException as exc:
        raise CheckError(
            "dns", f"requête DNS {name} {rdtype} impossible : {dns_error_text(exc)}"
        ) from None
    if answer.rrset is None:
        return []
    return [rdata.to_text() for rdata in answer.rrset]


_DNS_ERRORS = (
    (dns.name.NameTooLong, "nom trop long"),
    (dns.name.LabelTooLong, "élément de nom trop long"),
    (dns.name.EmptyLabel, "nom mal formé"),
    (dns.message.Truncated, "réponse tronquée"),
    (dns.exception.FormError, "réponse mal formée"),
    (dns.exception.Timeout, "pas de réponse dans le délai"),
)


def dns_error_text(exc: BaseException) -> str:
    """dnspython's error in French (its own texts are English and go into client reports)."""
    for kind, text in _DNS_ERRORS:
        if isinstance(exc, kind):
            return text
    return f"erreur DNS ({type(exc).__name__})"


def mx_pairs(records: list[str] | None) -> list[tuple[int, str]] | None:
    """MX records as (preference, host) sorted by preference; host `.` marks a null MX."""
    if records is None:
        return None
    pairs = []
    for text in records:
        preference, _, host = text.partition(" ")
        pairs.append((int(preference), host.rstrip(".").lower() or "."))
    return sorted(pairs)


def records_from_response(response: dns.message.Message, rdtype: str) -> list[str] | None:
    """Records of `rdtype` in a raw response, as `lookup` gives them (None for NXDOMAIN).

    The alias chain (CNAME) from the question's name is followed through the answer section
    as a resolver would; a chain that comes back on itself is a `CheckError`, not "no record".
    """
    if response.rcode() == dns.rcode.NXDOMAIN:
        return None
    wanted = dns.rdatatype.from_text(rdtype)
    current = response.question[0].name
    seen: set[dns.name.Name] = set()
    while current not in seen:
        seen.add(current)
        found = _rrset(response, current, wanted)
        if found is not None:
            return [rdata.to_text() for rdata in found]
        alias = _rrset(response, current, dns.rdatatype.CNAME)
        if alias is None:
            return []
        current = alias[0].target
    raise CheckError("dns", f"boucle d'alias (CNAME) en résolvant {response.question[0].name}")


def _rrset(
    response: dns.message.Message, name: dns.name.Name, rdtype: dns.rdatatype.RdataType
) -> dns.rrset.RRset | None:
    return next((r for r in response.answer if r.name == name and r.rdtype == rdtype), None)


#: EDNS payload announced with DNSSEC queries: large enough for signed answers, small enough
#: to avoid IP fragmentation (DNS Flag Day 2020); bigger answers come back over TCP.
DNSSEC_PAYLOAD = 1232


def plain_nameservers(resolver: dns.resolver.Resolver) -> list[dns.nameserver.Do53Nameserver]:
    """The resolver's plain-DNS servers, with their ports.

    dnspython lists the servers read from /etc/resolv.conf as bare address strings (port in
    `resolver.port`), and those given with --nameserver as `Do53Nameserver` objects: both are
    what the user chose, so both are asked. DNS over HTTPS/TLS entries are left out.
    """
    servers = []
    for entry in resolver.nameservers:
        if isinstance(entry, str):
            port = resolver.nameserver_ports.get(entry, resolver.port)
            servers.append(dns.nameserver.Do53Nameserver(entry, port))
        elif isinstance(entry, dns.nameserver.Do53Nameserver):
            servers.append(entry)
    return servers


def query_dnssec(
    resolver: dns.resolver.Resolver,
    name: str,
    rdtype: str,
    timeout: float,
    before_query: Callable[[], None] | None = None,
) -> dns.message.Message:
    """Ask `name`/`rdtype` with the DO bit, so that signatures and denial proofs come back.

    CD (checking disabled) is set too: a validating resolver then hands over bogus data
    instead of a bare SERVFAIL, and the tool can say what is wrong with it. The servers are
    tried in order; NOERROR and NXDOMAIN are answers, anything else a `CheckError`.
    `before_query` runs before each message sent (a batch's pace per resolver): the
    retry over TCP of a truncated answer, or the next server, is one more query.
    """
    query = dns.message.make_query(name, rdtype, want_dnssec=True, payload=DNSSEC_PAYLOAD)
    query.flags |= dns.flags.CD
    failure = CheckError("dns", f"aucun serveur DNS à interroger pour {name} {rdtype}")
    for server in plain_nameservers(resolver):
        try:
            response = _udp_then_tcp(query, server.address, server.port, timeout, before_query)
        except dns.exception.Timeout:
            failure = CheckError("timeout", f"pas de réponse DNS pour {name} {rdtype}")
            continue
        except (OSError, dns.exception.DNSException) as exc:
            reason = os_error_text(exc) if isinstance(exc, OSError) else dns_error_text(exc)
            failure = CheckError("dns", f"requête DNS {name} {rdtype} impossible : {reason}")
            continue
        if response.rcode() in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            return response
        failure = CheckError(
            "dns", f"le serveur DNS répond {dns.rcode.to_text(response.rcode())} à {name} {rdtype}"
        )
    raise failure


def _udp_then_tcp(
    query: dns.message.Message,
    address: str,
    port: int,
    timeout: float,
    before_query: Callable[[], None] | None,
) -> dns.message.Message:
    # dns.query.udp_with_fallback, written out so that the TCP retry waits its turn too.
    if before_query is not None:
        before_query()
    try:
        return dns.query.udp(query, address, timeout=timeout, port=port, raise_on_truncation=True)
    except dns.message.Truncated:
        if before_query is not None:
            before_query()
        return dns.query.tcp(query, address, timeout=timeout, port=port)
