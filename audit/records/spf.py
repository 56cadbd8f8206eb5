"""SPF record parser (RFC 7208 §4.5, §5, §6, §7, §12): text in, terms out, no DNS.

The grammar is checked strictly because receivers answer "permerror" to any syntax error,
which voids the whole record: the error names the term and its position so that the
report can say where the record breaks.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

#: Mechanisms of RFC 7208 §5; any other name is a syntax error (permerror).
MECHANISMS = frozenset({"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"})
#: Terms whose evaluation queries the DNS, counted against the limit of §4.6.4.
DNS_TERMS = frozenset({"include", "a", "mx", "ptr", "exists", "redirect"})
#: pass, fail, softfail, neutral (§4.6.2).
QUALIFIERS = frozenset("+-~?")

_VERSION = re.compile(r"v=spf1(?: |$)", re.IGNORECASE)
_MODIFIER_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
_MACRO = re.compile(
    r"%(?:\{(?P<letter>[A-Za-z])(?P<digits>[0-9]*)(?P<rev>[rR]?)(?P<delims>[-.+,/_=]*)\}|(?P<escape>[%_-]))"
)
_MACRO_LETTERS = frozenset("slodiphv")
_CIDR = re.compile(r"^(?P<body>.*?)(?:/(?P<v4>[0-9]+))?(?://(?P<v6>[0-9]+))?$", re.DOTALL)
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")


class SpfSyntaxError(ValueError):
    """The text is not a valid SPF record; `position` is the offset of the faulty term."""

    def __init__(self, message: str, position: int = 0, term: str = "") -> None:
        where = f" (terme « {term} », position {position + 1})" if term else ""
        super().__init__(message + where)
        self.message = message
        self.position = position
        self.term = term


@dataclass(frozen=True)
class SpfTerm:
    """One directive (`qualifier` + mechanism) or modifier (`name=value`)."""

    text: str
    position: int
    name: str
    qualifier: str | None = None
    value: str | None = None
    cidr4: int | None = None
    cidr6: int | None = None

    @property
    def is_modifier(self) -> bool:
        """True for `redirect=`, `exp=` and unknown modifiers."""
        return self.qualifier is None

    @property
    def has_macro(self) -> bool:
        """True when the domain depends on the message (sender, IP…) and cannot be followed."""
        return self.value is not None and "%" in self.value

    @property
    def queries_dns(self) -> bool:
        """True for the terms counted against the 10-lookup limit (RFC 7208 §4.6.4)."""
        return self.name in DNS_TERMS


@dataclass(frozen=True)
class SpfRecord:
    """A parsed SPF record."""

    text: str
    terms: tuple[SpfTerm, ...]

    @property
    def directives(self) -> tuple[SpfTerm, ...]:
        """Mechanisms with their qualifier, in evaluation order."""
        return tuple(t for t in self.terms if not t.is_modifier)

    @property
    def all_term(self) -> SpfTerm | None:
        """The `all` mechanism, if any (terms after it are never evaluated)."""
        return next((t for t in self.directives if t.name == "all"), None)

    @property
    def redirect(self) -> str | None:
        """Target of `redirect=`; ignored by receivers when the record has an `all`."""
        return next((t.value for t in self.terms if t.name == "redirect"), None)


def is_spf(text: str) -> bool:
    """True when a TXT string is an SPF record (starts exactly with `v=spf1`, §4.5)."""
    return _VERSION.match(text) is not None


def parse_spf(text: str) -> SpfRecord:
    """Parse an SPF record; `SpfSyntaxError` says which term breaks the grammar."""
    if not isinstance(text, str):
        raise SpfSyntaxError("l'enregistrement n'est pas du texte")
    if not is_spf(text):
        raise SpfSyntaxError("l'enregistrement ne commence pas par « v=spf1 »")
    if not text.isascii():
        bad = next(i for i, c in enumerate(text) if not c.isascii())
        raise SpfSyntaxError("caractère non ASCII", bad, text[bad])
    terms: list[SpfTerm] = []
    seen_modifiers: set[str] = set()
    # Terms are separated by one or more spaces only (§4.6.1: 1*SP); tabs are an error.
    for match in re.finditer(r"[^ ]+", text[6:]):
        raw, position = match.group(), match.start() + 6
        term = _parse_term(raw, position)
        if term.is_modifier and term.name in {"redirect", "exp"}:
            if term.name in seen_modifiers:
                raise SpfSyntaxError(f"modificateur « {term.name} » répété", position, raw)
            seen_modifiers.add(term.name)
        terms.append(term)
    return SpfRecord(text=text, terms=tuple(terms))


def _parse_term(raw: str, position: int) -> SpfTerm:
    if any(c < " " or c == "\x7f" for c in raw):
        raise SpfSyntaxError(
            "caractère de contrôle (tabulation, retour à la ligne…)", position, raw
        )
    qualifier = "+"
    body = raw
    if raw[0] in QUALIFIERS:
        qualifier, body = raw[0], raw[1:]
    name_match = re.match(r"[A-Za-z][A-Za-z0-9_.-]*", body)
    name = name_match.group().lower() if name_match else ""
    rest = body[len(name) :] if name_match else body
    if rest.startswith("=") and raw[0] not in QUALIFIERS and name_match:
        return _modifier(raw, position, name, rest[1:])
    mech_name = name
    # "a" and "mx" may be followed directly by a CIDR suffix: "a/24", "mx//64".
    if mech_name not in MECHANISMS:
        raise SpfSyntaxError("mécanisme inconnu", position, raw)
    if mech_name == "all":
        if rest:
            raise SpfSyntaxError("« all » ne prend pas d'argument", position, raw)
        return SpfTerm(raw, position, "all", qualifier)
    if mech_name in {"ip4", "ip6"}:
        if not rest.startswith(":"):
            raise SpfSyntaxError("« : » et une adresse attendus", position, raw)
        return _ip_term(raw, position, mech_name, qualifier, rest[1:])
    if mech_name in {"a", "mx"}:
        domain, cidr4, cidr6 = _domain_with_cidr(raw, position, rest)
        return SpfTerm(raw, position, mech_name, qualifier, domain, cidr4, cidr6)
    # include, exists: domain required; ptr: domain optional.
    if not rest:
        if mech_name == "ptr":
            return SpfTerm(raw, position, "ptr", qualifier)
        raise SpfSyntaxError("domaine manquant", position, raw)
    if not rest.startswith(":"):
        raise SpfSyntaxError("« : » attendu après le nom du mécanisme", position, raw)
    domain = rest[1:]
    _check_domain_spec(domain, position, raw)
    return SpfTerm(raw, position, mech_name, qualifier, domain)


def _modifier(raw: str, position: int, name: str, value: str) -> SpfTerm:
    if name in {"redirect", "exp"}:
        _check_domain_spec(value, position, raw)
    else:
        if not _MODIFIER_NAME.fullmatch(name):
            raise SpfSyntaxError("nom de modificateur invalide", position, raw)
        _check_macro_string(value, position, raw)
    return SpfTerm(raw, position, name, None, value)


def _ip_term(raw: str, position: int, name: str, qualifier: str, value: str) -> SpfTerm:
    address, _, prefix = value.partition("/")
    version = 4 if name == "ip4" else 6
    try:
        if "%" in address:
            raise ValueError(address)
        ip = ipaddress.ip_address(address)
    except ValueError:
        raise SpfSyntaxError(f"adresse IPv{version} invalide", position, raw) from None
    if ip.version != version:
        raise SpfSyntaxError(f"adresse IPv{version} attendue", position, raw)
    cidr = None
    if prefix or value.endswith("/"):
        cidr = _cidr(prefix, 32 if version == 4 else 128, position, raw)
    return SpfTerm(
        raw,
        position,
        name,
        qualifier,
        address,
        cidr if version == 4 else None,
        cidr if version == 6 else None,
    )


def _domain_with_cidr(
    raw: str, position: int, rest: str
) -> tuple[str | None, int | None, int | None]:
    match = _CIDR.match(rest)
    assert match is not None  # the pattern matches any string
    body = match.group("body")
    cidr4 = _cidr(match.group("v4"), 32, position, raw) if match.group("v4") is not None else None
    cidr6 = _cidr(match.group("v6"), 128, position, raw) if match.group("v6") is not None else None
    if not body:
        return None, cidr4, cidr6
    if not body.startswith(":"):
        raise SpfSyntaxError("« : » ou « / » attendu après le nom du mécanisme", position, raw)
    domain = body[1:]
    _check_domain_spec(domain, position, raw)
    return domain, cidr4, cidr6


def _cidr(text: str, maximum: int, position: int, raw: str) -> int:
    # §5.6: no leading zeros, and within the address size.
    if not text.isdigit() or (len(text) > 1 and text[0] == "0") or int(text) > maximum:
        raise SpfSyntaxError(f"longueur de préfixe invalide (0 à {maximum})", position, raw)
    return int(text)


def _check_domain_spec(value: str, position: int, raw: str) -> None:
    """domain-spec = macro-string domain-end (§7.1)."""
    if not value:
        raise SpfSyntaxError("domaine manquant", position, raw)
    _check_macro_string(value, position, raw)
    if value.endswith(("}", "%%", "%_", "%-")):
        # The name ends with a macro: its final label is only known at evaluation time.
        return
    labels = value.rstrip(".").split(".")
    if len(labels) < 2 and "%" not in value:
        raise SpfSyntaxError("nom de domaine incomplet", position, raw)
    top = labels[-1]
    # toplabel = alphanumeric with at least one letter (§7.1, RFC 3696 §2).
    if not _LABEL.match(top) or top.isdigit():
        raise SpfSyntaxError("nom de domaine invalide", position, raw)
    if any(label == "" for label in labels) and "%" not in value:
        raise SpfSyntaxError("nom de domaine invalide (label vide)", position, raw)
    if any(len(label) > 63 for label in labels):
        raise SpfSyntaxError("label de plus de 63 caractères", position, raw)


def _check_macro_string(value: str, position: int, raw: str) -> None:
    """macro-string of §7.1; the letters c, r, t are only valid in explanations (§7.2)."""
    index = 0
    while index < len(value):
        char = value[index]
        if char != "%":
            if not ("\x21" <= char <= "\x7e"):
                raise SpfSyntaxError("caractère interdit", position, raw)
            index += 1
            continue
        match = _MACRO.match(value, index)
        if match is None:
            raise SpfSyntaxError("macro invalide (« % » mal formé)", position, raw)
        letter = (match.group("letter") or "").lower()
        if letter and letter not in _MACRO_LETTERS:
            raise SpfSyntaxError(f"lettre de macro « {letter} » invalide ici", position, raw)
        index = match.end()
