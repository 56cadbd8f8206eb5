"""NSEC3 denial proofs (RFC 5155), checked on a small zone hashed and signed here.

dnspython cannot sign a zone with NSEC3, so the chain is built by hand: each test names the
zone's contents and the proof it expects. (The lab's zones use NSEC; those proofs are
exercised end to end in tests/lab and tests/checks.)
"""

import time

import dns.dnssec
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from rgpd_audit.net.denial import Denial, DenialError, prove_denial

ZONE = dns.name.from_text("ex.fr.")
KEY = ec.generate_private_key(ec.SECP256R1())
DNSKEY = dns.dnssec.make_dnskey(KEY.public_key(), dns.dnssec.Algorithm.ECDSAP256SHA256, flags=257)
KEYS = {ZONE: dns.rdataset.from_rdata_list(300, [DNSKEY])}
SALT = "AABB"
ITERATIONS = 0

#: Names of the zone and their types; `b` is an empty non-terminal above `a.b`.
NAMES = {
    "ex.fr.": "SOA NS DNSKEY NSEC3PARAM RRSIG",
    "ns1.ex.fr.": "A RRSIG",
    "b.ex.fr.": "",
    "a.b.ex.fr.": "MX RRSIG",
    "sub.ex.fr.": "NS",
}


def _hash(name: str) -> str:
    return dns.dnssec.nsec3_hash(name, SALT, ITERATIONS, 1).upper()


def _chain(
    names: dict[str, str], opt_out: bool = False
) -> list[tuple[dns.rrset.RRset, dns.rrset.RRset]]:
    hashed = sorted((_hash(name), types) for name, types in names.items())
    records = []
    for index, (digest, types) in enumerate(hashed):
        following = hashed[(index + 1) % len(hashed)][0]
        text = f"1 {1 if opt_out else 0} {ITERATIONS} {SALT} {following} {types}"
        rdata = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.NSEC3, text)
        rrset = dns.rrset.from_rdata_list(dns.name.from_text(digest, ZONE), 300, [rdata])
        records.append((rrset, _sign(rrset)))
    return records


def _sign(rrset: dns.rrset.RRset) -> dns.rrset.RRset:
    rrsig = dns.dnssec.sign(rrset, KEY, ZONE, DNSKEY, lifetime=3600)
    return dns.rrset.from_rdata_list(rrset.name, 300, [rrsig])


def _response(
    qname: str,
    rdtype: str,
    chain: list[tuple[dns.rrset.RRset, dns.rrset.RRset]],
    rcode: int = dns.rcode.NOERROR,
    signed: bool = True,
) -> dns.message.Message:
    response = dns.message.make_response(dns.message.make_query(qname, rdtype, want_dnssec=True))
    response.set_rcode(rcode)
    for rrset, rrsig in chain:
        response.authority.append(rrset)
        if signed:
            response.authority.append(rrsig)
    # Through the wire, as the validator receives it.
    return dns.message.from_wire(response.to_wire())


def _verify(rrset: dns.rrset.RRset, sigs: dns.rrset.RRset | None) -> str | None:
    if sigs is None:
        return "pas de signature"
    try:
        dns.dnssec.validate(rrset, sigs, KEYS, now=time.time())
    except dns.dnssec.ValidationFailure:
        return "signature invalide"
    return None


def _prove(qname: str, rdtype: str, response: dns.message.Message) -> Denial:
    return prove_denial(
        response, dns.name.from_text(qname), dns.rdatatype.from_text(rdtype), ZONE, _verify
    )


def test_nodata_at_an_existing_name() -> None:
    chain = _chain(NAMES)
    assert _prove("ns1.ex.fr.", "MX", _response("ns1.ex.fr.", "MX", chain)) is Denial.NODATA


def test_nodata_at_an_empty_non_terminal() -> None:
    chain = _chain(NAMES)
    assert _prove("b.ex.fr.", "TXT", _response("b.ex.fr.", "TXT", chain)) is Denial.NODATA


def test_nxdomain_needs_closest_encloser_next_closer_and_wildcard() -> None:
    chain = _chain(NAMES)
    response = _response("x.y.ex.fr.", "A", chain, dns.rcode.NXDOMAIN)
    assert _prove("x.y.ex.fr.", "A", response) is Denial.NXDOMAIN


def test_unsigned_delegation_in_the_chain() -> None:
    chain = _chain(NAMES)
    response = _response("sub.ex.fr.", "DS", chain)
    assert _prove("sub.ex.fr.", "DS", response) is Denial.INSECURE_DELEGATION


def test_unsigned_delegation_left_out_by_opt_out() -> None:
    names = {name: types for name, types in NAMES.items() if name != "sub.ex.fr."}
    response = _response("sub.ex.fr.", "DS", _chain(names, opt_out=True))
    assert _prove("sub.ex.fr.", "DS", response) is Denial.INSECURE_DELEGATION


def test_no_opt_out_means_no_proof_for_a_missing_name() -> None:
    names = {name: types for name, types in NAMES.items() if name != "sub.ex.fr."}
    response = _response("sub.ex.fr.", "DS", _chain(names))
    with pytest.raises(DenialError, match="ne prouvent pas"):
        _prove("sub.ex.fr.", "DS", response)


def test_a_record_that_lists_the_type_proves_nothing() -> None:
    chain = _chain(NAMES)
    with pytest.raises(DenialError, match="ne prouvent pas"):
        _prove("a.b.ex.fr.", "MX", _response("a.b.ex.fr.", "MX", chain))


def test_unsigned_or_missing_proofs_are_bogus() -> None:
    chain = _chain(NAMES)
    with pytest.raises(DenialError, match="pas de signature"):
        _prove("ns1.ex.fr.", "MX", _response("ns1.ex.fr.", "MX", chain, signed=False))
    with pytest.raises(DenialError, match="sans preuve signée"):
        _prove("ns1.ex.fr.", "MX", _response("ns1.ex.fr.", "MX", []))


def test_tampered_proof_is_rejected() -> None:
    chain = _chain(NAMES)
    forged = []
    for rrset, rrsig in chain:
        rdata = rrset[0]
        # Claim that nothing exists at the owner: the signature no longer matches.
        text = rdata.to_text().split()[:5]
        changed = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.NSEC3, " ".join(text))
        forged.append((dns.rrset.from_rdata_list(rrset.name, 300, [changed]), rrsig))
    with pytest.raises(DenialError, match="signature invalide"):
        _prove("a.b.ex.fr.", "MX", _response("a.b.ex.fr.", "MX", forged))
