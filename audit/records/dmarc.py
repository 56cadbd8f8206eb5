"""DMARC policy record parser (RFC 9989): text in, tags and remarks out, no DNS.

RFC 9989 asks receivers to be lenient: a record is discarded only when `v=DMARC1` is not
its first tag; after that, a bad value falls back to the tag's default, an unknown tag is
ignored, and a missing `p` reads as `none`. The parser does the same and keeps a remark for
each such case, so that the report can show what a receiver silently ignores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

POLICIES = ("none", "quarantine", "reject")
#: Tags of RFC 7489 that RFC 9989 removed: receivers now ignore them.
REMOVED_TAGS = frozenset({"pct", "rf", "ri"})
KNOWN_TAGS = frozenset({"v", "p", "sp", "np", "psd", "t", "adkim", "aspf", "rua", "ruf", "fo"})
#: More report addresses than this may be ignored by receivers (RFC 7489 §6.2 allowed them
#: to limit the list to two; kept as a warning only).
MAX_USUAL_URIS = 2

_VERSION = re.compile(r"^[ \t]*v[ \t]*=[ \t]*DMARC1[ \t]*(;|$)")
_TAG = re.compile(r"^([A-Za-z]+)[ \t]*=[ \t]*(.*?)[ \t]*$", re.DOTALL)
_FO = re.compile(r"^[01ds](:[01ds])*$")
_MAILTO = re.compile(
    r"^mailto:(?P<local>[^@\s]+)@(?P<domain>[A-Za-z0-9.-]+?)\.?(?:!(?P<size>.*))?$"
)


class DmarcSyntaxError(ValueError):
    """The text is not a DMARC record (receivers ignore it entirely)."""


@dataclass(frozen=True)
class ReportUri:
    """One `rua`/`ruf` destination; `domain` is set for `mailto:` URIs."""

    uri: str
    domain: str | None = None
    size_limit: str | None = None


@dataclass
class DmarcRecord:
    """A parsed DMARC record with the values a receiver would use."""

    text: str
    tags: dict[str, str] = field(default_factory=dict)
    p: str | None = None
    sp: str | None = None
    np: str | None = None
    psd: str = "u"
    testing: bool = False
    adkim: str = "r"
    aspf: str = "r"
    rua: list[ReportUri] = field(default_factory=list)
    ruf: list[ReportUri] = field(default_factory=list)
    fo: str = "0"
    removed_tags: list[str] = field(default_factory=list)
    unknown_tags: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def policy(self) -> str:
        """The domain's own policy; a missing or invalid `p` reads as `none` (RFC 9989)."""
        return self.p or "none"


def is_dmarc(text: str) -> bool:
    """True when a TXT string starts with the `v=DMARC1` tag (otherwise receivers skip it)."""
    return _VERSION.match(text) is not None


def parse_dmarc(text: str) -> DmarcRecord:
    """Parse a DMARC record; `DmarcSyntaxError` when it does not start with `v=DMARC1`."""
    if not isinstance(text, str):
        raise DmarcSyntaxError("l'enregistrement n'est pas du texte")
    if not is_dmarc(text):
        raise DmarcSyntaxError("l'enregistrement ne commence pas par « v=DMARC1 »")
    record = DmarcRecord(text=text)
    parts = text.split(";")
    order: list[str] = []
    for part in parts[1:]:
        if not part.strip(" \t"):
            continue
        match = _TAG.match(part.strip(" \t"))
        if match is None:
            record.errors.append(f"élément « {part.strip()} » illisible (forme tag=valeur)")
            continue
        name, value = match.group(1), match.group(2)
        if name != name.lower():
            # Tag names are case-sensitive (RFC 6376 §3.2, whose syntax DMARC reuses).
            record.errors.append(
                f"tag « {name} » en majuscules : des destinataires l'ignorent, écrivez "
                f"« {name.lower()} »"
            )
        name = name.lower()
        if name in record.tags or name == "v":
            record.errors.append(f"tag « {name} » répété : seule la première valeur est lue")
            continue
        record.tags[name] = value
        order.append(name)
        _apply(record, name, value)
    if record.p is None and "p" not in record.tags:
        record.warnings.append("pas de tag p : la politique se lit p=none (surveillance seule)")
    if order and order[0] != "p" and "p" in order:
        record.warnings.append("le tag p devrait suivre immédiatement v=DMARC1")
    if "fo" in record.tags and not record.ruf:
        record.warnings.append("fo est ignoré sans ruf")
    for tag in ("rua", "ruf"):
        if len(getattr(record, tag)) > MAX_USUAL_URIS:
            record.warnings.append(
                f"{tag} liste plus de {MAX_USUAL_URIS} destinations : certains "
                "destinataires peuvent ignorer les suivantes"
            )
    return record


def _apply(record: DmarcRecord, name: str, value: str) -> None:
    if name in REMOVED_TAGS:
        record.removed_tags.append(name)
        return
    if name not in {"rua", "ruf"}:
        # ABNF literals are case-insensitive (RFC 5234 §2.3): "p=Reject" is "p=reject".
        value = value.lower()
    if name not in KNOWN_TAGS:
        record.unknown_tags.append(name)
        return
    if name in {"p", "sp", "np"}:
        if value in POLICIES:
            setattr(record, name, value)
        else:
            fallback = "none" if name == "p" else "celle de p"
            record.errors.append(
                f"{name}={value} invalide : les destinataires retiennent {fallback}"
            )
    elif name == "psd":
        _choice(record, name, value, ("y", "n", "u"))
    elif name == "t":
        if _choice(record, name, value, ("y", "n")):
            record.testing = value == "y"
    elif name in {"adkim", "aspf"}:
        _choice(record, name, value, ("r", "s"))
    elif name == "fo":
        if _FO.match(value):
            record.fo = value
        else:
            record.errors.append(f"fo={value} invalide (0, 1, d, s ou une liste séparée par « : »)")
    elif name in {"rua", "ruf"}:
        setattr(record, name, _uris(record, name, value))


def _choice(record: DmarcRecord, name: str, value: str, allowed: tuple[str, ...]) -> bool:
    if value in allowed:
        if name in {"psd", "adkim", "aspf"}:
            setattr(record, name, value)
        return True
    record.errors.append(f"{name}={value} invalide (valeurs permises : {', '.join(allowed)})")
    return False


def _uris(record: DmarcRecord, name: str, value: str) -> list[ReportUri]:
    uris = []
    for item in value.split(","):
        uri = item.strip(" \t")
        if not uri:
            record.errors.append(f"{name} contient une adresse vide")
            continue
        match = _MAILTO.match(uri)
        if match:
            size = match.group("size")
            if size is not None:
                record.warnings.append(
                    f"{name} : la limite de taille « !{size} » est obsolète (RFC 9989)"
                )
            uris.append(ReportUri(uri, match.group("domain").lower(), size))
        elif re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", uri):
            record.warnings.append(
                f"{name} : « {uri} » n'est pas une adresse mailto:, seule forme que tous les "
                "destinataires doivent accepter"
            )
            uris.append(ReportUri(uri))
        else:
            record.errors.append(f"{name} : « {uri} » n'est pas une URI valide")
    return uris
