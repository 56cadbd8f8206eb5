"""DNSSEC trust anchors: the IANA root anchors shipped as data, or a file given by the user.

The validation of a domain starts from these records and from nothing else: a resolver's
"authenticated data" flag is never trusted, so the verdict is the tool's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.DNSKEY
import dns.rdtypes.ANY.DS
from pydantic import BaseModel, Field

from rgpd_audit.concurrency import cached_once
from rgpd_audit.datafiles import Snapshot, register_data_file
from rgpd_audit.errors import ContentError, InputError
from rgpd_audit.paths import input_file
from rgpd_audit.yaml_source import read_text

#: A trust anchor file holds a few records; anything much bigger is the wrong file.
ANCHOR_FILE_MAX_BYTES = 256 * 1024


class TrustAnchorError(ValueError):
    """The trust anchor text cannot be used; the message says why, in French."""


@dataclass(frozen=True)
class TrustAnchors:
    """DS and DNSKEY records trusted for one zone (the root, or the lab's root)."""

    owner: dns.name.Name
    ds: tuple[dns.rdtypes.ANY.DS.DS, ...]
    dnskeys: tuple[dns.rdtypes.ANY.DNSKEY.DNSKEY, ...]
    source: str


def parse_trust_anchors(text: str, source: str) -> TrustAnchors:
    """Read DS or DNSKEY records in zone-file presentation format (like unbound's root.key).

    One record per line: `owner [TTL] [IN] DS|DNSKEY rdata`; `;` starts a comment. Every
    record must have the same owner. Raises `TrustAnchorError` with the faulty line.
    """
    owner: dns.name.Name | None = None
    ds: list[dns.rdtypes.ANY.DS.DS] = []
    dnskeys: list[dns.rdtypes.ANY.DNSKEY.DNSKEY] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(";", 1)[0].strip()
        if not line:
            continue
        name, rdata = _parse_line(line, f"{source}, ligne {number}")
        if owner is not None and name != owner:
            raise TrustAnchorError(
                f"{source}, ligne {number} : toutes les ancres doivent porter sur la même zone "
                f"({owner.to_text()} puis {name.to_text()})"
            )
        owner = name
        if isinstance(rdata, dns.rdtypes.ANY.DS.DS):
            ds.append(rdata)
        elif isinstance(rdata, dns.rdtypes.ANY.DNSKEY.DNSKEY):  # the only other type read
            dnskeys.append(rdata)
    if owner is None:
        raise TrustAnchorError(f"{source} : aucun enregistrement DS ou DNSKEY trouvé")
    return TrustAnchors(owner, tuple(ds), tuple(dnskeys), source)


def _parse_line(line: str, where: str) -> tuple[dns.name.Name, dns.rdata.Rdata]:
    tokens = line.split()
    try:
        name = dns.name.from_text(tokens[0])
        rest = tokens[1:]
        if rest and rest[0].isdigit():
            rest = rest[1:]
        if rest and rest[0].upper() == "IN":
            rest = rest[1:]
        if not rest or rest[0].upper() not in ("DS", "DNSKEY"):
            raise TrustAnchorError(f"{where} : enregistrement DS ou DNSKEY attendu")
        rdtype = dns.rdatatype.from_text(rest[0].upper())
        rdata = dns.rdata.from_text(dns.rdataclass.IN, rdtype, " ".join(rest[1:]))
    except dns.exception.DNSException as exc:
        raise TrustAnchorError(f"{where} : enregistrement illisible ({exc})") from None
    return name, rdata


def check_trust_anchor(path: Path) -> Path:
    """Make sure the --trust-anchor file holds DS or DNSKEY records the DNSSEC checks can use."""
    input_file(path, "--trust-anchor")
    try:
        read_trust_anchor_file(path)
    except TrustAnchorError as exc:
        raise InputError(f"--trust-anchor : {exc}") from None
    return path


def read_trust_anchor_file(path: Path) -> TrustAnchors:
    """Read and parse the file given with --trust-anchor."""
    try:
        text = read_text(path, str(path), kind="fichier d'ancres", max_bytes=ANCHOR_FILE_MAX_BYTES)
    except ContentError as exc:
        raise TrustAnchorError(str(exc)) from None
    return parse_trust_anchors(text, str(path))


class _RootAnchor(BaseModel):
    label: str
    key_tag: int = Field(ge=0, le=65535)
    algorithm: int = Field(ge=0, le=255)
    digest_type: int = Field(ge=0, le=255)
    digest: str = Field(pattern=r"^[0-9A-Fa-f]+$")


class _RootAnchorFile(BaseModel):
    snapshot: Snapshot
    anchors: list[_RootAnchor] = Field(min_length=1)


_ROOT_ANCHORS = register_data_file(
    "rgpd_audit.net.data",
    "root_anchors.yaml",
    _RootAnchorFile,
    name="Ancres de confiance DNSSEC de la racine",
)


@cached_once
def root_trust_anchors() -> TrustAnchors:
    """The IANA root anchors of `net/data/root_anchors.yaml`."""
    source = _ROOT_ANCHORS.source
    data = _ROOT_ANCHORS.load()
    lines = [f". IN DS {a.key_tag} {a.algorithm} {a.digest_type} {a.digest}" for a in data.anchors]
    try:
        return parse_trust_anchors("\n".join(lines), source)
    except TrustAnchorError as exc:
        raise ContentError(str(exc)) from None
