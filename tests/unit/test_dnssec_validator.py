"""The validator against small signed trees served by the lab's real DNS server.

Each test builds its own zones (a root and a few children) to reach cases the shared lab
does not have: a DS that matches no key, a resolver that strips signatures, aliases.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdatatype
import dns.rdtypes.ANY.DNSKEY
import dns.zone
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from rgpd_audit.concurrency import parallel_map
from rgpd_audit.config import Nameserver, RunConfig
from rgpd_audit.context import CheckContext
from rgpd_audit.errors import CheckError
from rgpd_audit.lab.dns_server import DnsServer
from rgpd_audit.models import Target
from rgpd_audit.net import dns as dnsnet
from rgpd_audit.net.dnssec import DnssecValidator, Security
from rgpd_audit.net.trust_anchor import parse_trust_anchors

SOA = "@ IN SOA ns hostmaster 1 3600 900 1209600 300\n@ IN NS ns\nns IN A 127.0.0.1\n"


def zone(origin: str, records: str = "") -> dns.zone.Zone:
    text = f"$ORIGIN {origin}\n$TTL 300\n{SOA}{records}"
    return dns.zone.from_text(text, relativize=False)


def sign(z: dns.zone.Zone) -> dns.rdtypes.ANY.DNSKEY.DNSKEY:
    private = ec.generate_private_key(ec.SECP256R1())
    key = dns.dnssec.make_dnskey(
        private.public_key(), dns.dnssec.Algorithm.ECDSAP256SHA256, flags=257
    )
    dns.dnssec.sign_zone(z, keys=[(private, key)], lifetime=3600)
    return key


def delegate(
    parent: dns.zone.Zone, child: str, key: dns.rdtypes.ANY.DNSKEY.DNSKEY | None = None
) -> None:
    name = dns.name.from_text(child)
    with parent.writer() as txn:
        txn.add(name, 300, dns.rdata.from_text("IN", "NS", f"ns.{child}"))
        if key is not None:
            txn.add(name, 300, dns.dnssec.make_ds(name, key, "SHA256"))


@contextmanager
def validator(
    zones: list[dns.zone.Zone], anchor_key: dns.rdtypes.ANY.DNSKEY.DNSKEY
) -> Iterator[DnssecValidator]:
    ds = dns.dnssec.make_ds(".", anchor_key, "SHA256")
    anchors = parse_trust_anchors(f". IN DS {ds.to_text()}", "test")
    with DnsServer(zones) as server:
        ctx = CheckContext(
            Target(domain="ex.example"),
            RunConfig(timeout=2.0, nameservers=(Nameserver("127.0.0.1", server.port),)),
        )
        yield DnssecValidator(
            lambda name, rdtype: dnsnet.query_dnssec(ctx.resolver, name, rdtype, 2.0),
            anchors,
            ctx.memo,
            parallel_map,
        )


def tree(wrong_ds: bool = False) -> tuple[list[dns.zone.Zone], dns.rdtypes.ANY.DNSKEY.DNSKEY]:
    """`.` signed → `ex.` signed (aliases inside), `nu.` unsigned, `neuf.` with an unknown DS."""
    root = zone(".")
    ex = zone(
        "ex.",
        "www IN A 192.0.2.1\nalias IN CNAME www\nalias2 IN CNAME alias\n"
        "ailleurs IN CNAME www.nu.\nailleurs2 IN CNAME ailleurs\n",
    )
    nu = zone("nu.", "www IN A 192.0.2.2\n")
    ex_key = sign(ex)
    other_key = sign(zone("ex."))
    delegate(root, "ex.", other_key if wrong_ds else ex_key)
    delegate(root, "nu.")
    neuf = zone("neuf.", "www IN A 192.0.2.3\n")
    sign(neuf)
    delegate(root, "neuf.")
    with root.writer() as txn:
        # Algorithm 253 is private use: no validator can know it.
        txn.add("neuf.", 300, dns.rdata.from_text("IN", "DS", f"12345 253 2 {'00' * 32}"))
    return [root, ex, nu, neuf], sign(root)


def test_secure_positive_and_negative_answers() -> None:
    zones, key = tree()
    with validator(zones, key) as v:
        www = v.validate("www.ex.", "A")
        assert www.security is Security.SECURE and www.records == ("192.0.2.1",)
        absent = v.validate("absent.ex.", "A")
        assert absent.security is Security.SECURE and not absent.exists
        nodata = v.validate("www.ex.", "MX")
        assert nodata.security is Security.SECURE and nodata.exists and not nodata.records


def test_ds_matching_no_key_is_bogus() -> None:
    zones, key = tree(wrong_ds=True)
    with validator(zones, key) as v:
        result = v.validate("www.ex.", "A")
    assert result.security is Security.BOGUS
    assert "ne correspond au DS" in result.reason


def test_unsigned_delegation_is_insecure() -> None:
    zones, key = tree()
    with validator(zones, key) as v:
        result = v.validate("www.nu.", "A")
    assert result.security is Security.INSECURE and result.zone == "nu."
    assert result.records == ("192.0.2.2",) and not result.signed_without_ds


def test_ds_of_an_unknown_algorithm_makes_the_zone_insecure_not_bogus() -> None:
    zones, key = tree()
    with validator(zones, key) as v:
        result = v.validate("www.neuf.", "A")
    assert result.security is Security.INSECURE and "algorithmes" in result.reason


def test_alias_is_followed_and_the_weakest_link_wins() -> None:
    zones, key = tree()
    with validator(zones, key) as v:
        inside = v.validate("alias2.ex.", "A")
        outside = v.validate("ailleurs2.ex.", "A")
    assert inside.security is Security.SECURE and inside.records == ("192.0.2.1",)
    assert inside.name == "alias2.ex"
    assert outside.security is Security.INSECURE and outside.records == ("192.0.2.2",)


def test_resolver_that_strips_signatures_is_not_a_verdict() -> None:
    zones, key = tree()
    with zones[0].writer() as txn:
        txn.delete(dns.name.root, dns.rdatatype.RRSIG, dns.rdatatype.DNSKEY)
    with validator(zones, key) as v, pytest.raises(CheckError, match="ne transmet pas"):
        v.validate("www.ex.", "A")


def test_names_outside_the_anchor_are_insecure() -> None:
    anchors = parse_trust_anchors(f"ex. IN DS 12345 13 2 {'00' * 32}", "test")
    # Judged before any question: nothing is asked, so no server (and no cache) is needed.
    v = DnssecValidator(
        lambda name, rdtype: pytest.fail("question posée"),
        anchors,
        lambda key, compute: compute(),
        parallel_map,
    )
    result = v.validate("www.nu.", "A")
    assert result.security is Security.INSECURE and "hors de la zone" in result.reason
