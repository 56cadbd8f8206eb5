"""Find a provider's name in the list of certified hosts, saying how sure the match is.

A match is **certain** when the names are the same once case, accents, punctuation and legal
form are set aside, directly or through an alias group (« AWS » = « Amazon Web Services »),
and the entry comes from the ANS list itself. Everything else (shared distinctive words, one
name starting the other, a near spelling, or an entry that is only a vendor's claim) is
reported as uncertain, for a person to confirm.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import StrEnum

from rgpd_audit.hds.model import CertifiedHost, MatchingRules
from rgpd_audit.hds.names import NameKeys

# Below this, two spellings are different names rather than one misspelt ("Scalingo" vs
# "Scalinog" ≈ 0.88; "Doctolib" vs "Docaposte" ≈ 0.47).
_SIMILARITY = 0.85
# Shorter keys match too many names by prefix ("ov" would find OVHcloud and Ovea).
_MIN_PREFIX = 4


class MatchKind(StrEnum):
    """How a name was found, from the surest to the loosest."""

    EXACT = "exact"
    ALIAS = "alias"
    WORDS = "words"
    PREFIX = "prefix"
    SIMILAR = "similar"


_EXPLANATIONS = {
    MatchKind.EXACT: "même nom (casse, accents et forme juridique mis à part)",
    MatchKind.ALIAS: "nom commercial connu de la même société",
    MatchKind.WORDS: "noms qui partagent des mots distinctifs, sans être identiques",
    MatchKind.PREFIX: "un nom commence par l'autre",
    MatchKind.SIMILAR: "orthographe proche",
}


@dataclass(frozen=True)
class Match:
    """One host matching a searched name."""

    host: CertifiedHost
    kind: MatchKind
    matched_name: str

    @property
    def name_certain(self) -> bool:
        """The names designate the same company (exact or alias)."""
        return self.kind in (MatchKind.EXACT, MatchKind.ALIAS)

    @property
    def certain(self) -> bool:
        """Same company, and the entry comes from the ANS list rather than a vendor's claim."""
        return self.name_certain and self.host.verified

    @property
    def explanation(self) -> str:
        """Why the names were matched, in French."""
        return _EXPLANATIONS[self.kind]


class Matcher:
    """Searches names in a list of hosts with the rules of hds_aliases.yaml."""

    def __init__(self, hosts: list[CertifiedHost], rules: MatchingRules) -> None:
        self._keys = NameKeys(rules.legal_forms)
        self._generic = {w for g in rules.generic_words for w in self._keys.tokens(g)}
        self._aliases = [{self._keys.key(n) for n in group.names} for group in rules.aliases]
        self._entries = [
            (host, name, self._keys.key(name)) for host in hosts for name in host.names()
        ]

    def search(self, name: str) -> list[Match]:
        """Hosts matching `name`, surest first; one match per host."""
        query = self._keys.key(name)
        if not query:
            return []
        equivalents = set().union(*(group for group in self._aliases if query in group))
        best: dict[int, Match] = {}
        for host, host_name, key in self._entries:
            kind = self._kind(query, equivalents, key)
            if kind is None:
                continue
            found = best.get(id(host))
            order = list(MatchKind)
            if found is None or order.index(kind) < order.index(found.kind):
                best[id(host)] = Match(host, kind, host_name)
        order = list(MatchKind)
        return sorted(
            best.values(),
            key=lambda m: (not m.certain, order.index(m.kind), m.host.legal_name.casefold()),
        )

    def _kind(self, query: str, equivalents: set[str], key: str) -> MatchKind | None:
        if key == query:
            return MatchKind.EXACT
        if key in equivalents:
            return MatchKind.ALIAS
        query_words, key_words = set(query.split()), set(key.split())
        shared = (query_words & key_words) - self._generic
        if shared and (query_words <= key_words or key_words <= query_words):
            return MatchKind.WORDS
        shorter, longer = sorted((query, key), key=len)
        if len(shorter) >= _MIN_PREFIX and longer.startswith(shorter):
            return MatchKind.PREFIX
        if difflib.SequenceMatcher(None, query, key).ratio() >= _SIMILARITY:
            return MatchKind.SIMILAR
        return None

    def key(self, name: str) -> str:
        """The comparable key of `name` under these rules."""
        return self._keys.key(name)

    def tokens(self, name: str) -> tuple[str, ...]:
        """The comparable words of `name` under these rules."""
        return self._keys.tokens(name)
