"""Tolerant comparison of what people type in a register: case, accents, punctuation."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^0-9a-z]+")
_PARENTHESES = re.compile(r"\([^)]*\)")


def fold(text: str) -> str:
    """Lower case, no accents, words separated by single spaces: `Base légale ` → `base legale`."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", bare).strip()


def header_key(text: str) -> str:
    """Form under which column headers and sheet names are compared.

    What is in parentheses is a hint (« Données de santé (oui/non) ») and plurals vary from
    one model to another, so both are dropped.
    """
    words = fold(_PARENTHESES.sub(" ", text)).split()
    return " ".join(w[:-1] if len(w) > 3 and w.endswith(("s", "x")) else w for w in words)


def contains_phrase(folded: str, phrase: str) -> bool:
    """Whether the folded `phrase` appears in `folded` as whole words."""
    return f" {phrase} " in f" {folded} "
