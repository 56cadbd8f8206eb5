"""Which addresses an audit may contact, and how many.

The audited domain is hostile: whoever controls its DNS chooses the addresses and ports the
audit connects to. Without a limit, MX, SRV or `mta-sts.` records pointing at 127.0.0.1,
10.0.0.0/8 or 169.254.169.254 turn the auditor's machine into a port scanner of its own
network, with the banners of internal services copied into the report. Only globally
routable addresses are contacted unless the user opts in (`--allow-private-addresses`, for
an internal network or the lab), and every list of endpoints is capped.
"""

from __future__ import annotations

import ipaddress

from rgpd_audit.errors import CheckError

#: At most this many MX hosts are probed (lowest preference first); the others are reported
#: « non testé (limite) ».
MAX_MX_HOSTS = 10
#: At most this many addresses of one host (MX, SRV target, `mta-sts.` host) are contacted.
MAX_ADDRESSES_PER_HOST = 10
#: At most this many SRV endpoints (target and port) per client service (IMAP, POP3…).
MAX_SRV_PER_SERVICE = 10

_Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class NotRoutable(CheckError):
    """`host` points only at addresses the audit may not contact (never contacted)."""

    def __init__(self, host: str, addresses: tuple[str, ...]) -> None:
        self.host = host
        self.addresses = addresses
        super().__init__(
            "private_address",
            f"{host} pointe vers une adresse non routable ({', '.join(addresses[:3])}), "
            "non contactée",
        )


def is_global(address: str) -> bool:
    """True when `address` is a globally routable unicast address.

    Loopback, private, shared (100.64/10), link-local, unique-local, documentation,
    multicast, reserved and unspecified addresses are not; an IPv6 address that embeds an
    IPv4 one (mapped, 6to4, Teredo) is judged on the embedded address too, since the
    operating system may route it there. Text that is not an address is not global either.
    """
    try:
        parsed = ipaddress.ip_address(address.strip().split("%", 1)[0])
    except ValueError:
        return False
    return all(_global_unicast(a) for a in _with_embedded(parsed))


def _with_embedded(address: _Address) -> list[_Address]:
    found: list[_Address] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        for embedded in (address.ipv4_mapped, address.sixtofour):
            if embedded is not None:
                found.append(embedded)
        if address.teredo is not None:
            found += list(address.teredo)
    return found


def _global_unicast(address: _Address) -> bool:
    return (
        address.is_global
        and not address.is_multicast
        and not address.is_reserved
        and not address.is_unspecified
        and not address.is_loopback
        and not address.is_link_local
    )


def split_contactable(
    addresses: list[str] | tuple[str, ...], allow_private: bool
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """`addresses` split into (to contact, not routable, over the per-host limit).

    Order is kept, duplicates dropped; the limit applies to the contactable ones only.
    """
    unique = list(dict.fromkeys(addresses))
    routable = [a for a in unique if allow_private or is_global(a)]
    kept = set(routable)
    refused = tuple(a for a in unique if a not in kept)
    return (
        tuple(routable[:MAX_ADDRESSES_PER_HOST]),
        refused,
        tuple(routable[MAX_ADDRESSES_PER_HOST:]),
    )
