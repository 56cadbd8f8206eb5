"""Authenticated denial of existence: what signed NSEC and NSEC3 records prove (RFC 4035, 5155).

A signed zone says "no such name" or "no such record" with NSEC/NSEC3 records that are
themselves signed. Without a valid proof a negative answer from a signed zone is forged or
broken ("bogus"); with one, it also tells whether a delegation is unsigned ("insecure").
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

import dns.dnssec
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.NSEC
import dns.rdtypes.ANY.NSEC3
import dns.rrset

#: Checks one RRset against its signatures with the zone's keys; a French reason on failure.
Verifier = Callable[[dns.rrset.RRset, dns.rrset.RRset | None], str | None]

#: What a chain of denial records is ordered by: DNS names (NSEC), or hashes (NSEC3).
_Ordered = TypeVar("_Ordered", dns.name.Name, str)

#: NSEC3 flag: unsigned delegations may be left out of the hashed chain (RFC 5155 §3.1.2.1).
OPT_OUT = 0x01


class Denial(StrEnum):
    """What a valid negative answer proves."""

    NODATA = "nodata"
    NXDOMAIN = "nxdomain"
    #: Only for DS questions: the name is a delegation to an unsigned zone.
    INSECURE_DELEGATION = "insecure-delegation"


class DenialError(Exception):
    """No valid proof in the answer; the message says why, in French."""


@dataclass(frozen=True)
class _Record:
    owner: dns.name.Name
    #: An NSEC or NSEC3 rdata; both carry `next` and `windows`, NSEC3 its hash parameters.
    rdata: Any


def prove_denial(
    response: dns.message.Message,
    qname: dns.name.Name,
    rdtype: dns.rdatatype.RdataType,
    zone: dns.name.Name,
    verify: Verifier,
) -> Denial:
    """Say what the signed NSEC/NSEC3 records of `response` prove about `qname`/`rdtype`.

    `verify` checks each NSEC/NSEC3 RRset against the keys of `zone`; records whose
    signature fails are not used. Raises `DenialError` when nothing valid is proven.
    """
    nsec, nsec3, failures = _signed_records(response, zone, verify)
    nxdomain = response.rcode() == dns.rcode.NXDOMAIN
    proof = None
    if nsec:
        proof = _nsec_proof(nsec, qname, rdtype, nxdomain)
    elif nsec3:
        proof = _nsec3_proof(nsec3, qname, rdtype, zone, nxdomain)
    if proof is not None:
        return proof
    if failures:
        raise DenialError(failures[0])
    if not nsec and not nsec3:
        raise DenialError(
            f"réponse négative sans preuve signée (NSEC/NSEC3) pour {qname.to_text()} "
            f"{dns.rdatatype.to_text(rdtype)} dans une zone signée"
        )
    raise DenialError(
        f"les enregistrements NSEC/NSEC3 reçus ne prouvent pas l'absence de {qname.to_text()} "
        f"{dns.rdatatype.to_text(rdtype)}"
    )


def _signed_records(
    response: dns.message.Message, zone: dns.name.Name, verify: Verifier
) -> tuple[list[_Record], list[_Record], list[str]]:
    nsec: list[_Record] = []
    nsec3: list[_Record] = []
    failures: list[str] = []
    for rrset in response.authority:
        if rrset.rdtype not in (dns.rdatatype.NSEC, dns.rdatatype.NSEC3):
            continue
        if not rrset.name.is_subdomain(zone):
            continue
        sigs = response.get_rrset(
            response.authority, rrset.name, dns.rdataclass.IN, dns.rdatatype.RRSIG, rrset.rdtype
        )
        problem = verify(rrset, sigs)
        if problem:
            failures.append(problem)
            continue
        target = nsec if rrset.rdtype == dns.rdatatype.NSEC else nsec3
        target.extend(_Record(rrset.name, rdata) for rdata in rrset)
    return nsec, nsec3, failures


def bitmap_types(rdata: dns.rdtypes.ANY.NSEC.NSEC | dns.rdtypes.ANY.NSEC3.NSEC3) -> set[int]:
    """The record types an NSEC/NSEC3 record says exist at its owner."""
    types = set()
    for window, bitmap in rdata.windows:
        for index, byte in enumerate(bitmap):
            for bit in range(8):
                if byte & (0x80 >> bit):
                    types.add(window * 256 + index * 8 + bit)
    return types


def _nodata(types: set[int], rdtype: int) -> Denial | None:
    if rdtype in types or dns.rdatatype.CNAME in types:
        return None
    is_cut = dns.rdatatype.NS in types and dns.rdatatype.SOA not in types
    if rdtype == dns.rdatatype.DS and is_cut:
        return Denial.INSECURE_DELEGATION
    return Denial.NODATA


def _covers(owner: _Ordered, after: _Ordered, name: _Ordered) -> bool:
    # The last record of the chain points back to the first: its interval wraps around.
    # bool(): dnspython's Name comparisons are unannotated (typed as returning Any).
    if owner < after:
        return bool(owner < name < after)
    return bool(name > owner or name < after)


def _nsec_proof(
    records: list[_Record], qname: dns.name.Name, rdtype: int, nxdomain: bool
) -> Denial | None:
    if not nxdomain:
        for record in records:
            if record.owner == qname:
                return _nodata(bitmap_types(record.rdata), rdtype)
        for record in records:
            after = record.rdata.next
            # An empty non-terminal: no NSEC of its own, the next name lies below it.
            if _covers(record.owner, after, qname) and after.is_subdomain(qname):
                return Denial.NODATA
        return None
    covering = [r for r in records if _covers(r.owner, r.rdata.next, qname)]
    if not covering:
        return None
    encloser = max(
        (_common_ancestor(qname, name) for r in covering for name in (r.owner, r.rdata.next)),
        key=lambda name: len(name.labels),
    )
    wildcard = dns.name.Name((b"*", *encloser.labels))
    if any(_covers(r.owner, r.rdata.next, wildcard) for r in records):
        return Denial.NXDOMAIN
    return None


def _common_ancestor(a: dns.name.Name, b: dns.name.Name) -> dns.name.Name:
    _, _, common = a.fullcompare(b)
    return a.split(common)[1]


def _nsec3_proof(
    records: list[_Record],
    qname: dns.name.Name,
    rdtype: int,
    zone: dns.name.Name,
    nxdomain: bool,
) -> Denial | None:
    hashes = _Nsec3Chain(records, zone)
    match = hashes.matching(qname)
    if match is not None and not nxdomain:
        return _nodata(bitmap_types(match.rdata), rdtype)
    for encloser in _ancestors(qname, zone):
        if hashes.matching(encloser) is None:
            continue
        next_closer = qname.split(len(encloser.labels) + 1)[1]
        cover = hashes.covering(next_closer)
        if cover is None:
            return None
        if nxdomain:
            wildcard = dns.name.Name((b"*", *encloser.labels))
            return Denial.NXDOMAIN if hashes.covering(wildcard) is not None else None
        opted_out = cover.rdata.flags & OPT_OUT
        if rdtype == dns.rdatatype.DS and opted_out:
            return Denial.INSECURE_DELEGATION
        return None
    return None


def _ancestors(qname: dns.name.Name, zone: dns.name.Name) -> Iterator[dns.name.Name]:
    name = qname
    while name != zone and len(name.labels) > len(zone.labels):
        name = name.parent()
        yield name


class _Nsec3Chain:
    """NSEC3 records of one zone, looked up by the hash of a name."""

    def __init__(self, records: list[_Record], zone: dns.name.Name) -> None:
        self.records = [r for r in records if r.owner.parent() == zone]
        first = self.records[0].rdata if self.records else None
        self._params = (
            (first.salt, first.iterations, first.algorithm) if first is not None else None
        )

    def _hash(self, name: dns.name.Name) -> str:
        assert self._params is not None
        salt, iterations, algorithm = self._params
        return dns.dnssec.nsec3_hash(name, salt, iterations, algorithm).upper()

    def matching(self, name: dns.name.Name) -> _Record | None:
        if self._params is None:
            return None
        digest = self._hash(name)
        return next((r for r in self.records if _owner_hash(r) == digest), None)

    def covering(self, name: dns.name.Name) -> _Record | None:
        if self._params is None:
            return None
        digest = self._hash(name)
        for record in self.records:
            after = base64.b32hexencode(record.rdata.next).decode().upper()
            if _covers(_owner_hash(record), after, digest):
                return record
        return None


def _owner_hash(record: _Record) -> str:
    return record.owner.labels[0].decode("ascii").upper()
