"""DNS lookups through the resolver chosen by the user (`--nameserver`) or the system's."""

from __future__ import annotations

from collections.abc import Sequence

import dns.exception
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.resolver

from rgpd_audit.config import Nameserver
from rgpd_audit.errors import CheckError


def build_resolver(nameservers: Sequence[Nameserver], timeout: float) -> dns.resolver.Resolver:
    """A resolver that asks `nameservers` (or the system's when empty), `timeout` per query."""
    if nameservers:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [dns.nameserver.Do53Nameserver(ns.ip, ns.port) for ns in nameservers]
    else:
        try:
            resolver = dns.resolver.Resolver()
        except dns.resolver.NoResolverConfiguration:
            raise CheckError(
                "dns", "aucun résolveur DNS système ; indiquez-en un avec --nameserver"
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
    except dns.resolver.NoNameservers as exc:
        raise CheckError("dns", f"serveurs DNS en échec pour {name} {rdtype} ({exc})") from None
    except dns.exception.DNSException as exc:
        raise CheckError("dns", f"requête DNS {name} {rdtype} impossible : {exc}") from None
    if answer.rrset is None:
        return []
    return [rdata.to_text() for rdata in answer.rrset]


def lookup_mx(resolver: dns.resolver.Resolver, domain: str) -> list[tuple[int, str]] | None:
    """MX records as (preference, host) sorted by preference; host `.` marks a null MX."""
    records = lookup(resolver, domain, "MX")
    if records is None:
        return None
    pairs = []
    for text in records:
        preference, _, host = text.partition(" ")
        pairs.append((int(preference), host.rstrip(".").lower() or "."))
    return sorted(pairs)
