"""DNSSEC of the lab: a signed lab root `.` → `fr.` → `labo-rgpd.fr` chain, made at start-up.

Every zone file of the lab becomes a child of the nearest enclosing lab zone (the lab's own
root and `fr.` are made here). Zones named in `scenarios_dnssec.ZONE_SIGNING` are signed
with a fresh key, their DS published by the parent; the others are unsigned delegations,
which the signed parent proves with NSEC. The lab root's DS is written to a file: the trust
anchor an audit of the lab is given with --trust-anchor.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rdtypes.ANY.DNSKEY
import dns.zone
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from rgpd_audit.lab.dns_server import origin_of
from rgpd_audit.lab.pki import LabPki
from rgpd_audit.lab.scenario_types import LabHost
from rgpd_audit.lab.scenarios_dnssec import (
    TLSA_RECORDS,
    ZONE_SIGNING,
    Signing,
    TlsaSource,
    TlsaSpec,
)
from rgpd_audit.records.tlsa import association_data

#: The lab's own root and TLD: only their apex and delegations are answered.
CHAIN_ZONES = (dns.name.root, dns.name.from_text("fr."))
TTL = 3600
_ALGORITHM = dns.dnssec.Algorithm.ECDSAP256SHA256


@dataclass(frozen=True)
class SignedLab:
    """The zones to serve, the chain-only zones among them, and the trust anchor file."""

    zones: list[dns.zone.Zone]
    chain_only: tuple[dns.name.Name, ...]
    trust_anchor: Path


def sign_lab_zones(
    zones: Iterable[dns.zone.Zone],
    pki: LabPki,
    directory: Path,
    hosts: Iterable[LabHost],
) -> SignedLab:
    """Add the lab root and TLD, the TLSA records and the signatures; write the anchor.

    `pki` must already have made the certificates of `hosts`, the lab's MX hosts (their
    servers' contexts): the TLSA records designate those very certificates.
    """
    now = dt.datetime.now(dt.UTC)
    by_origin = {origin_of(zone): zone for zone in zones}
    chain_only = tuple(origin for origin in CHAIN_ZONES if origin not in by_origin)
    for origin in chain_only:
        by_origin[origin] = _empty_zone(origin)
    _add_tlsa(by_origin, pki, {host.hostname: host for host in hosts})
    policy = {dns.name.from_text(name): signing for name, signing in ZONE_SIGNING.items()}
    policy.update(dict.fromkeys(CHAIN_ZONES, Signing.SIGNED))
    # Deepest first: a parent is signed only once every child has put its NS and DS in it.
    for zone in sorted(by_origin.values(), key=lambda z: len(origin_of(z).labels), reverse=True):
        origin = origin_of(zone)
        signing = policy.get(origin)
        key = _sign(zone, signing, now) if signing else None
        if origin == dns.name.root:
            assert key is not None
            anchor = dns.dnssec.make_ds(dns.name.root, key, dns.dnssec.DSDigest.SHA256)
            continue
        parent = _parent(by_origin, origin)
        _delegate(parent, zone, key if signing is not Signing.NO_DS else None)
    path = directory / "ancre-racine-labo.txt"
    path.write_text(
        "; Ancre de confiance DNSSEC de la racine du laboratoire (générée au démarrage)\n"
        f". IN DS {anchor.to_text()}\n",
        encoding="utf-8",
    )
    return SignedLab(list(by_origin.values()), chain_only, path)


def _empty_zone(origin: dns.name.Name) -> dns.zone.Zone:
    soa_owner = "ns1.labo-rgpd.fr."
    text = (
        f"$ORIGIN {origin.to_text()}\n$TTL {TTL}\n"
        f"@ IN SOA {soa_owner} hostmaster.labo-rgpd.fr. 2026112501 3600 900 1209600 300\n"
        f"@ IN NS {soa_owner}\n"
    )
    return dns.zone.from_text(text, relativize=False)


def _parent(by_origin: dict[dns.name.Name, dns.zone.Zone], name: dns.name.Name) -> dns.zone.Zone:
    candidate = name.parent()
    while candidate not in by_origin:
        candidate = candidate.parent()
    return by_origin[candidate]


def _delegate(
    parent: dns.zone.Zone,
    child: dns.zone.Zone,
    key: dns.rdtypes.ANY.DNSKEY.DNSKEY | None,
) -> None:
    origin = origin_of(child)
    ns = child.get_rdataset(origin, dns.rdatatype.NS)
    with parent.writer() as txn:
        if ns is not None:
            txn.replace(origin, ns)
        if key is not None:
            ds = dns.dnssec.make_ds(origin, key, dns.dnssec.DSDigest.SHA256)
            txn.replace(origin, dns.rdataset.from_rdata_list(TTL, [ds]))


def _sign(zone: dns.zone.Zone, signing: Signing, now: dt.datetime) -> dns.rdtypes.ANY.DNSKEY.DNSKEY:
    private = ec.generate_private_key(ec.SECP256R1())
    flags = dns.dnssec.Flag.ZONE | dns.dnssec.Flag.SEP
    dnskey = dns.dnssec.make_dnskey(private.public_key(), _ALGORITHM, flags=flags)
    if signing is Signing.EXPIRED:
        inception, expiration = now - dt.timedelta(days=30), now - dt.timedelta(days=1)
    else:
        # Backdated an hour so that a validator whose clock lags a little still agrees.
        inception, expiration = now - dt.timedelta(hours=1), now + dt.timedelta(days=30)
    dns.dnssec.sign_zone(
        zone, keys=[(private, dnskey)], inception=inception, expiration=expiration, dnskey_ttl=TTL
    )
    if signing is Signing.BAD_SIGNATURE:
        _damage_signature(zone, origin_of(zone), dns.rdatatype.MX)
    return dnskey


def _damage_signature(
    zone: dns.zone.Zone, name: dns.name.Name, covered: dns.rdatatype.RdataType
) -> None:
    with zone.writer() as txn:
        rrsigs = txn.get(name, dns.rdatatype.RRSIG, covered)
        damaged = [
            rrsig.replace(signature=bytes([rrsig.signature[0] ^ 0xFF]) + rrsig.signature[1:])
            for rrsig in rrsigs
        ]
        txn.replace(name, dns.rdataset.from_rdata_list(rrsigs.ttl, damaged))


def _add_tlsa(
    by_origin: dict[dns.name.Name, dns.zone.Zone], pki: LabPki, hosts: dict[str, LabHost]
) -> None:
    for spec in TLSA_RECORDS:
        owner = dns.name.from_text(f"_25._tcp.{spec.host}")
        zone = _parent(by_origin, owner)
        text = f"{spec.usage} {spec.selector} {spec.matching_type} {_data(spec, pki, hosts).hex()}"
        rdata = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.TLSA, text)
        with zone.writer() as txn:
            txn.add(owner, TTL, rdata)


def _data(spec: TlsaSpec, pki: LabPki, hosts: dict[str, LabHost]) -> bytes:
    if spec.source is TlsaSource.NEXT_KEY:
        spki = (
            ec.generate_private_key(ec.SECP256R1())
            .public_key()
            .public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        return _digest(spki, spec.matching_type)
    host = hosts[spec.host]
    assert host.cert is not None
    chain = pki.served_chain(host.cert, host.hostname)
    if spec.source is TlsaSource.LEAF:
        der = chain[0]
    elif len(chain) > 1:
        der = chain[1]
    else:
        der = x509.load_pem_x509_certificate(pki.ca_file.read_bytes()).public_bytes(
            serialization.Encoding.DER
        )
    return association_data(der, spec.selector, spec.matching_type)


def _digest(spki: bytes, matching_type: int) -> bytes:
    return {1: hashlib.sha256, 2: hashlib.sha512}[matching_type](spki).digest()
