"""DNSSEC validation done by the tool itself, from a trust anchor down to one RRset.

Each zone on the way is followed through its parent's signed DS records and its own signed
DNSKEY set; the final answer, positive or negative, is checked with the last zone's keys.
The resolver only carries the data (DO and CD bits set): its own opinion is never used.
Three outcomes, as in RFC 4035 §4.3: secure, insecure (an unsigned delegation proven by the
parent's signed denial of DS) and bogus (a signature or proof that does not hold). A
resolver or network failure is not an outcome: it raises `CheckError` (indeterminate).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Protocol, TypeVar

import dns.dnssec
import dns.exception
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rdtypes.ANY.DS
import dns.rrset

from rgpd_audit.errors import CheckError
from rgpd_audit.net.denial import Denial, DenialError, prove_denial
from rgpd_audit.net.trust_anchor import TrustAnchors

T = TypeVar("T")
Query = Callable[[str, str], dns.message.Message]


class Memo(Protocol):
    """`CheckContext.memo`: computes `key` once, returning what `compute` returns."""

    def __call__(self, key: tuple[Any, ...], compute: Callable[[], T], /) -> T: ...


Mapper = Callable[[Callable[[Any], Any], Sequence[Any]], list[Any]]

#: A CNAME chain longer than this is treated as a loop.
MAX_CNAME_CHAIN = 8


class Security(StrEnum):
    """Outcome of a validation (RFC 4035 §4.3)."""

    SECURE = "secure"
    INSECURE = "insecure"
    BOGUS = "bogus"


@dataclass(frozen=True)
class ZoneState:
    """How far the chain of trust reaches at one name.

    `zone` is the deepest zone whose keys are trusted when secure, the unsigned delegation
    when insecure, the zone where the chain broke when bogus.
    """

    security: Security
    zone: dns.name.Name
    keys: dns.rdataset.Rdataset | None
    reason: str
    steps: tuple[str, ...]
    #: The unsigned delegation's zone publishes DNSKEY records: only the DS is missing.
    signed_without_ds: bool = False


@dataclass(frozen=True)
class Validation:
    """One RRset (or its absence) and what DNSSEC says about it."""

    name: str
    rdtype: str
    security: Security
    #: False when the name does not exist (NXDOMAIN).
    exists: bool
    records: tuple[str, ...]
    reason: str
    zone: str
    steps: tuple[str, ...]
    signed_without_ds: bool = False


class DnssecValidator:
    """Validates RRsets from `anchors`, asking each DNS question once through `query`.

    `memo` is the audit's shared cache (questions, zone states, results); `mapper` runs
    independent questions concurrently.
    """

    def __init__(
        self,
        query: Query,
        anchors: TrustAnchors,
        memo: Memo,
        mapper: Mapper,
    ) -> None:
        self._query = query
        self.anchors = anchors
        self._memo = memo
        self._map = mapper

    def validate(self, name: str, rdtype: str) -> Validation:
        """Validate `name`/`rdtype` (cached for the whole audit)."""
        return self._memo(
            ("dnssec-result", name.lower(), rdtype), lambda: self._follow(name, rdtype)
        )

    def _follow(self, name: str, rdtype: str) -> Validation:
        qname = dns.name.from_text(name)
        result = self._validate_one(qname, dns.rdatatype.from_text(rdtype))
        seen = {qname}
        # An alias is followed: what counts is the data at the end of the chain, and every
        # link must be as secure as the last (the weakest one wins).
        while isinstance(result, tuple):
            alias, target = result
            if target in seen or len(seen) > MAX_CNAME_CHAIN:
                raise CheckError("dns", f"boucle d'alias CNAME à partir de {name}")
            seen.add(target)
            nxt = self._validate_one(target, dns.rdatatype.from_text(rdtype))
            if isinstance(nxt, tuple):
                result = (_weakest(alias, nxt[0]), nxt[1])
                continue
            result = _weakest(alias, nxt)
        return replace(result, name=name.rstrip(".").lower() or ".", rdtype=rdtype)

    def _validate_one(
        self, qname: dns.name.Name, rdtype: dns.rdatatype.RdataType
    ) -> Validation | tuple[Validation, dns.name.Name]:
        if not qname.is_subdomain(self.anchors.owner):
            return _result(
                qname,
                rdtype,
                ZoneState(
                    Security.INSECURE,
                    self.anchors.owner,
                    None,
                    f"{qname.to_text()} est hors de la zone de l'ancre de confiance",
                    (),
                ),
                exists=True,
            )
        self._prefetch(qname, rdtype)
        state = self.zone_state(qname)
        response = self._ask(qname, rdtype)
        exists = response.rcode() != dns.rcode.NXDOMAIN
        if state.security is not Security.SECURE:
            return _result(
                qname, rdtype, state, exists=exists, rrset=_answer(response, qname, rdtype)
            )
        rrset = _answer(response, qname, rdtype)
        cname = _answer(response, qname, dns.rdatatype.CNAME)
        if rrset is None and cname is not None and rdtype != dns.rdatatype.CNAME:
            problem = self._verify(response, cname, state)
            alias = _result(qname, rdtype, state, exists=True, rrset=cname)
            if problem:
                return _bogus(alias, problem)
            return alias, cname[0].target
        if rrset is not None:
            problem = self._verify(response, rrset, state)
            result = _result(qname, rdtype, state, exists=True, rrset=rrset)
            return _bogus(result, problem) if problem else result
        try:
            denial = prove_denial(
                response, qname, rdtype, state.zone, lambda rr, sigs: self._check(rr, sigs, state)
            )
        except DenialError as exc:
            return _bogus(_result(qname, rdtype, state, exists=exists), str(exc))
        return _result(qname, rdtype, state, exists=denial is not Denial.NXDOMAIN)

    def zone_state(self, name: dns.name.Name) -> ZoneState:
        """Where the chain of trust stands at `name` (cached per name)."""
        return self._memo(("dnssec-zone", name.to_text().lower()), lambda: self._zone_state(name))

    def _zone_state(self, name: dns.name.Name) -> ZoneState:
        if name == self.anchors.owner:
            return self._apex(name, self.anchors.ds, (), anchor=True)
        parent = self.zone_state(name.parent())
        if parent.security is not Security.SECURE:
            return parent
        response = self._ask(name, dns.rdatatype.DS)
        ds = _answer(response, name, dns.rdatatype.DS)
        if ds is not None:
            problem = self._verify(response, ds, parent)
            if problem:
                return replace(
                    parent, security=Security.BOGUS, reason=f"DS de {name.to_text()} : {problem}"
                )
            return self._apex(name, tuple(ds), parent.steps)
        alias = _answer(response, name, dns.rdatatype.CNAME)
        if alias is not None:
            # An alias cannot sit at a zone cut (RFC 1034 §3.6.2): the zone goes on.
            problem = self._verify(response, alias, parent)
            if problem:
                return replace(parent, security=Security.BOGUS, reason=problem)
            return parent
        try:
            denial = prove_denial(
                response,
                name,
                dns.rdatatype.DS,
                parent.zone,
                lambda rr, sigs: self._check(rr, sigs, parent),
            )
        except DenialError as exc:
            return replace(parent, security=Security.BOGUS, reason=str(exc))
        if denial is not Denial.INSECURE_DELEGATION:
            return parent
        keys = _answer(self._ask(name, dns.rdatatype.DNSKEY), name, dns.rdatatype.DNSKEY)
        step = f"{name.to_text()} : délégation non signée (absence de DS prouvée par {parent.zone})"
        return ZoneState(
            Security.INSECURE,
            name,
            None,
            f"la zone {name.to_text()} n'est pas rattachée à la chaîne de confiance : la zone "
            f"parente {parent.zone.to_text()} prouve qu'elle ne publie aucun DS pour elle",
            (*parent.steps, step),
            signed_without_ds=keys is not None,
        )

    def _apex(
        self,
        zone: dns.name.Name,
        ds_records: tuple[dns.rdtypes.ANY.DS.DS, ...],
        steps: tuple[str, ...],
        anchor: bool = False,
    ) -> ZoneState:
        if not anchor and not any(_usable_ds(ds) for ds in ds_records):
            # RFC 4035 §5.2: a DS set the validator cannot use makes the zone insecure.
            return ZoneState(
                Security.INSECURE,
                zone,
                None,
                f"le DS de {zone.to_text()} n'utilise que des algorithmes que l'outil ne sait "
                "pas vérifier",
                (*steps, f"{zone.to_text()} : DS d'algorithme non pris en charge"),
            )
        response = self._ask(zone, dns.rdatatype.DNSKEY)
        keys = _answer(response, zone, dns.rdatatype.DNSKEY)
        sigs = _signatures(response, zone, dns.rdatatype.DNSKEY)

        def broken(reason: str) -> ZoneState:
            return ZoneState(Security.BOGUS, zone, None, reason, steps)

        if keys is None:
            return broken(f"un DS désigne des clés pour {zone.to_text()}, qui n'en publie aucune")
        if sigs is None and anchor:
            raise CheckError(
                "dns",
                # Printed in the client's report: the remedy in words, no option name (the
                # option's help and the README say which resolvers to give).
                "le résolveur DNS utilisé pour l'audit ne transmet pas les signatures DNSSEC "
                "(RRSIG) : à refaire avec un résolveur qui les transmet (par exemple 9.9.9.9)",
            )
        trusted = [k for k in keys if k in self.anchors.dnskeys and anchor]
        trusted += [k for k in keys if any(_ds_matches(zone, k, ds) for ds in ds_records)]
        if not trusted:
            tags = ", ".join(str(ds.key_tag) for ds in ds_records)
            return broken(
                f"aucune clé DNSKEY de {zone.to_text()} ne correspond au DS publié chez le "
                f"parent (étiquette(s) {tags})"
            )
        entry_keys = dns.rdataset.from_rdata_list(keys.ttl, trusted)
        problem = self._check_with(keys, sigs, zone, entry_keys)
        if problem:
            return broken(f"clés DNSKEY de {zone.to_text()} : {problem}")
        tags = ", ".join(sorted({str(dns.dnssec.key_id(k)) for k in trusted}))
        source = "l'ancre de confiance" if anchor else "le DS de la zone parente"
        step = f"{zone.to_text()} : clés validées par {source} (étiquette(s) {tags})"
        return ZoneState(Security.SECURE, zone, keys, "", (*steps, step))

    def _prefetch(self, qname: dns.name.Name, rdtype: dns.rdatatype.RdataType) -> None:
        # The DS questions down the tree and the final one do not depend on each other's
        # answers: asking them at once costs one round trip instead of one per label.
        questions: list[tuple[dns.name.Name, dns.rdatatype.RdataType]] = [
            (self.anchors.owner, dns.rdatatype.DNSKEY)
        ]
        name = qname
        while name != self.anchors.owner:
            questions.append((name, dns.rdatatype.DS))
            name = name.parent()
        questions.append((qname, rdtype))
        self._map(self._ask_quietly, questions)
        # Every name with a DS is a zone whose keys are needed next: fetch them together too.
        zones = [
            name for name, kind in questions if kind == dns.rdatatype.DS and self._has_ds(name)
        ]
        self._map(self._ask_quietly, [(zone, dns.rdatatype.DNSKEY) for zone in zones])

    def _has_ds(self, name: dns.name.Name) -> bool:
        try:
            response = self._ask(name, dns.rdatatype.DS)
        except CheckError:
            return False
        return _answer(response, name, dns.rdatatype.DS) is not None

    def _ask_quietly(self, question: tuple[dns.name.Name, dns.rdatatype.RdataType]) -> None:
        # A failure is remembered by the cache and raised again where the answer is used.
        with contextlib.suppress(CheckError):
            self._ask(*question)

    def _ask(self, name: dns.name.Name, rdtype: dns.rdatatype.RdataType) -> dns.message.Message:
        text, type_text = name.to_text().lower(), dns.rdatatype.to_text(rdtype)
        return self._memo(("dnssec-query", text, type_text), lambda: self._query(text, type_text))

    def _verify(
        self, response: dns.message.Message, rrset: dns.rrset.RRset, state: ZoneState
    ) -> str | None:
        return self._check(rrset, _signatures(response, rrset.name, rrset.rdtype), state)

    def _check(
        self, rrset: dns.rrset.RRset, sigs: dns.rrset.RRset | None, state: ZoneState
    ) -> str | None:
        assert state.keys is not None
        return self._check_with(rrset, sigs, state.zone, state.keys)

    def _check_with(
        self,
        rrset: dns.rrset.RRset,
        sigs: dns.rrset.RRset | None,
        zone: dns.name.Name,
        keys: dns.rdataset.Rdataset,
    ) -> str | None:
        """None when a signature of `zone` made with `keys` holds, else the reason in French."""
        what = f"{rrset.name.to_text()} {dns.rdatatype.to_text(rrset.rdtype)}"
        if sigs is None:
            return f"{what} n'est pas signé alors que la zone {zone.to_text()} l'est"
        now = time.time()
        try:
            dns.dnssec.validate(rrset, sigs, {zone: keys}, now=now)
        except dns.dnssec.ValidationFailure:
            return f"{what} : {_why(sigs, zone, keys, now)}"
        except dns.exception.DNSException as exc:
            return f"{what} : signature inutilisable ({exc})"
        return None


def _why(
    sigs: dns.rrset.RRset, zone: dns.name.Name, keys: dns.rdataset.Rdataset, now: float
) -> str:
    tags = {dns.dnssec.key_id(k) for k in keys}
    ours = [s for s in sigs if s.signer == zone and s.key_tag in tags]
    if not ours:
        return "signé par une clé que la zone ne publie pas"
    if all(s.expiration < now for s in ours):
        last = max(s.expiration for s in ours)
        return f"signature expirée depuis le {_date(last)}"
    if all(s.inception > now for s in ours):
        return f"signature valable seulement à partir du {_date(min(s.inception for s in ours))}"
    return "signature invalide (les données ne correspondent pas à la signature)"


def _date(stamp: int) -> str:
    return dt.datetime.fromtimestamp(stamp, dt.UTC).strftime("%d/%m/%Y %H:%M UTC")


#: Signing algorithms (RFC 8624) and DS digest types this validator checks.
_ALGORITHMS = frozenset({5, 7, 8, 10, 13, 14, 15, 16})
_DIGESTS = frozenset({1, 2, 4})


def _usable_ds(ds: dns.rdtypes.ANY.DS.DS) -> bool:
    return ds.algorithm in _ALGORITHMS and ds.digest_type in _DIGESTS


def _ds_matches(zone: dns.name.Name, key: Any, ds: dns.rdtypes.ANY.DS.DS) -> bool:
    if dns.dnssec.key_id(key) != ds.key_tag or key.algorithm != ds.algorithm:
        return False
    try:
        computed = dns.dnssec.make_ds(zone, key, ds.digest_type, validating=True)
    except (dns.dnssec.UnsupportedAlgorithm, ValueError, dns.dnssec.DeniedByPolicy):
        return False
    return computed.digest == ds.digest


def _answer(
    response: dns.message.Message, name: dns.name.Name, rdtype: dns.rdatatype.RdataType
) -> dns.rrset.RRset | None:
    # Looked up by name and type, never by position: resolvers reorder sections.
    return response.get_rrset(response.answer, name, dns.rdataclass.IN, rdtype)


def _signatures(
    response: dns.message.Message, name: dns.name.Name, rdtype: dns.rdatatype.RdataType
) -> dns.rrset.RRset | None:
    return response.get_rrset(response.answer, name, dns.rdataclass.IN, dns.rdatatype.RRSIG, rdtype)


def _result(
    qname: dns.name.Name,
    rdtype: dns.rdatatype.RdataType,
    state: ZoneState,
    *,
    exists: bool,
    rrset: dns.rrset.RRset | None = None,
) -> Validation:
    return Validation(
        name=qname.to_text(),
        rdtype=dns.rdatatype.to_text(rdtype),
        security=state.security,
        exists=exists,
        records=tuple(r.to_text() for r in rrset) if rrset is not None else (),
        reason=state.reason,
        zone=state.zone.to_text(),
        steps=state.steps,
        signed_without_ds=state.signed_without_ds,
    )


def _bogus(result: Validation, reason: str) -> Validation:
    return replace(result, security=Security.BOGUS, reason=reason)


_ORDER = {Security.BOGUS: 0, Security.INSECURE: 1, Security.SECURE: 2}


def _weakest(alias: Validation, target: Validation) -> Validation:
    if _ORDER[alias.security] < _ORDER[target.security]:
        return replace(target, security=alias.security, reason=alias.reason)
    return target
