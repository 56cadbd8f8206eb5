"""Static evaluation of an SPF record tree: every include and redirect followed, DNS-querying
terms and void lookups counted exactly as RFC 7208 §4.6.4 says, loops detected.

No sender address is known during an audit, so the count is the worst case: the path a
receiver takes when no mechanism matches before the last one, which is what a message from
an unlisted server (or a forger) costs. Mechanisms after `all` are never evaluated (§5.1)
and `redirect` is ignored when the record has an `all` (§6.1), so neither is counted then.

DNS goes through the `lookup(name, rdtype)` callable given by the caller (in checks:
`CheckContext.lookup`, cached per audit); `mapper` runs independent lookups concurrently.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from rgpd_audit.errors import CheckError
from rgpd_audit.records.spf import SpfRecord, SpfSyntaxError, SpfTerm, is_spf, parse_spf
from rgpd_audit.records.spf_txt import readable_texts

#: RFC 7208 §4.6.4: more DNS-querying terms than this is a permerror.
MAX_LOOKUPS = 10
#: RFC 7208 §4.6.4: more void lookups than this SHOULD be a permerror.
MAX_VOID_LOOKUPS = 2
#: RFC 7208 §4.6.4: an `mx` mechanism naming more exchangers than this is a permerror.
MAX_MX_NAMES = 10
#: Records fetched at most per evaluation: far beyond any legal tree (the 11th lookup already
#: fails), it bounds the work a hostile fan-out of includes can cause.
MAX_RECORDS = 40

Lookup = Callable[[str, str], "list[str] | None"]
T = TypeVar("T")
Item = TypeVar("Item")
Mapper = Callable[[Callable[[Any], Any], Sequence[Any]], list[Any]]


def _sequential(func: Callable[[Item], T], items: Sequence[Item]) -> list[T]:
    return [func(item) for item in items]


@dataclass
class TermResult:
    """What one DNS-querying term of a record gave."""

    term: SpfTerm
    void: bool = False
    note: str | None = None
    child: SpfNode | None = None
    error: str | None = None
    dns_error: str | None = None


@dataclass
class SpfNode:
    """One domain of the tree and its record (`record` is None when unusable: see `problem`)."""

    domain: str
    record: SpfRecord | None = None
    problem: str | None = None
    dns_error: str | None = None
    void: bool = False
    terms: list[TermResult] = field(default_factory=list)


@dataclass
class SpfEvaluation:
    """Counts and findings of a whole tree, in evaluation order."""

    root: SpfNode
    lookups: int = 0
    void_lookups: int = 0
    limit_exceeded_at: str | None = None
    void_exceeded_at: str | None = None
    loops: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dns_errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    truncated: bool = False
    trace: list[str] = field(default_factory=list)

    @property
    def permerror(self) -> bool:
        """True when a receiver would answer "permerror" (SPF then gives no protection)."""
        return bool(self.limit_exceeded_at or self.void_exceeded_at or self.loops or self.errors)


def spf_records(texts: list[str] | None) -> list[str]:
    """The SPF records among the TXT records of a name (presentation format)."""
    return [value for value in readable_texts(texts) if is_spf(value)]


class _Walker:
    def __init__(self, lookup: Lookup, mapper: Mapper) -> None:
        self.lookup = lookup
        self.mapper = mapper
        self.fetched = 0
        self.truncated = False
        self._lock = threading.Lock()

    def node(self, domain: str, path: tuple[str, ...], record_text: str | None = None) -> SpfNode:
        node = SpfNode(domain)
        if record_text is None:
            with self._lock:
                if self.fetched >= MAX_RECORDS:
                    self.truncated = True
                    node.problem = "non exploré : trop d'enregistrements imbriqués"
                    return node
                self.fetched += 1
            try:
                answer = self.lookup(domain, "TXT")
            except CheckError as exc:
                node.dns_error = exc.message
                return node
            node.void = not answer
            found = spf_records(answer)
            if not found:
                node.problem = f"{domain} ne publie aucun enregistrement SPF"
                return node
            if len(found) > 1:
                node.problem = f"{domain} publie {len(found)} enregistrements SPF (un seul permis)"
                return node
            record_text = found[0]
        try:
            node.record = parse_spf(record_text)
        except SpfSyntaxError as exc:
            node.problem = f"syntaxe invalide dans l'enregistrement de {domain} : {exc}"
            return node
        counted = _evaluated_terms(node.record)
        node.terms = self.mapper(lambda term: self.term(term, domain, (*path, domain)), counted)
        return node

    def term(self, term: SpfTerm, domain: str, path: tuple[str, ...]) -> TermResult:
        result = TermResult(term)
        if term.has_macro:
            result.note = "macro : dépend du message, non développée"
            return result
        target = _normalise(term.value or domain)
        try:
            if term.name in {"include", "redirect"}:
                if target in path:
                    result.error = "boucle d'inclusion : " + " → ".join((*path, target))
                    return result
                result.child = self.node(target, path)
                result.void = result.child.void
            elif term.name == "a":
                answers = self.mapper(lambda t: self.lookup(target, t), ["A", "AAAA"])
                result.void = not any(answers)
            elif term.name == "mx":
                exchangers = self.lookup(target, "MX")
                result.void = not exchangers
                if exchangers and len(exchangers) > MAX_MX_NAMES:
                    result.error = f"{target} a {len(exchangers)} MX (au plus {MAX_MX_NAMES})"
            elif term.name == "exists":
                result.void = not self.lookup(target, "A")
            elif term.name == "ptr":
                result.note = "ptr : requête inverse selon l'adresse de l'expéditeur"
        except CheckError as exc:
            result.dns_error = exc.message
        return result


def _evaluated_terms(record: SpfRecord) -> list[SpfTerm]:
    """DNS-querying terms a receiver may evaluate, in order (§4.6.2, §5.1, §6.1)."""
    terms: list[SpfTerm] = []
    for term in record.directives:
        if term.name == "all":
            return terms
        if term.queries_dns:
            terms.append(term)
    terms.extend(t for t in record.terms if t.name == "redirect")
    return terms


def _normalise(name: str) -> str:
    return name.rstrip(".").lower()


def evaluate_spf(
    domain: str,
    lookup: Lookup,
    mapper: Mapper | None = None,
    record: str | None = None,
) -> SpfEvaluation:
    """Walk the SPF tree of `domain` (or of `record` as if published there) and count.

    A DNS failure on the domain itself raises `CheckError`; failures deeper in the tree are
    listed in `dns_errors` so that the caller can tell "cannot decide" from a verdict.
    """
    walker = _Walker(lookup, mapper or _sequential)
    domain = _normalise(domain)
    root = walker.node(domain, (), record)
    if root.dns_error:
        raise CheckError("dns", root.dns_error)
    evaluation = SpfEvaluation(root=root, truncated=walker.truncated)
    _count(root, evaluation, depth=0)
    return evaluation


def _count(node: SpfNode, ev: SpfEvaluation, depth: int) -> None:
    indent = "  " * depth
    if node.record is not None:
        ev.trace.append(f"{indent}{node.domain} : {node.record.text}")
    for result in node.terms:
        term = result.term
        ev.lookups += 1
        label = f"{indent}  [{ev.lookups}] {term.text}"
        if ev.lookups > MAX_LOOKUPS and ev.limit_exceeded_at is None:
            ev.limit_exceeded_at = f"{term.text} (dans {node.domain})"
        if result.void:
            ev.void_lookups += 1
            label += " — requête vide"
            if ev.void_lookups > MAX_VOID_LOOKUPS and ev.void_exceeded_at is None:
                ev.void_exceeded_at = f"{term.text} (dans {node.domain})"
        if result.note:
            label += f" — {result.note}"
            ev.notes.append(f"{term.text} : {result.note}")
        if result.error:
            label += f" — {result.error}"
            (ev.loops if result.error.startswith("boucle") else ev.errors).append(result.error)
        if result.dns_error:
            label += f" — erreur DNS : {result.dns_error}"
            ev.dns_errors.append(result.dns_error)
        ev.trace.append(label)
        child = result.child
        if child is None:
            continue
        if child.dns_error:
            ev.dns_errors.append(child.dns_error)
            ev.trace.append(f"{indent}    erreur DNS : {child.dns_error}")
        elif child.problem:
            ev.trace.append(f"{indent}    {child.problem}")
            if child.record is None and not child.problem.startswith("non exploré"):
                ev.errors.append(f"{term.text} : {child.problem}")
        _count(child, ev, depth + 1)
