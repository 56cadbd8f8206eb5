"""Company names reduced to comparable keys: no case, accents, punctuation or legal form."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# "S.A.S." and "S.A.R.L" must become one word before punctuation splits them into letters.
_DOTTED_ACRONYM = re.compile(r"\b(?:[a-z0-9]\.){2,}(?:[a-z0-9]\b)?")
# Ligatures NFKD leaves whole (« Œuvre » must compare equal to « OEUVRE »).
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def words(name: str) -> list[str]:
    """Lower-case ASCII words of `name` (« Société Générale S.A. » → societe generale sa)."""
    decomposed = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    text = text.translate(_LIGATURES)
    text = _DOTTED_ACRONYM.sub(lambda m: m.group().replace(".", ""), text)
    return [w for w in _NOT_WORD.split(text) if w]


class NameKeys:
    """Turns names into keys once the legal forms to drop are known."""

    def __init__(self, legal_forms: Iterable[str]) -> None:
        forms = {tuple(words(form)) for form in legal_forms}
        # Longest first: « societe par actions simplifiee unipersonnelle » before « sa ».
        self._forms = sorted((f for f in forms if f), key=len, reverse=True)

    def tokens(self, name: str) -> tuple[str, ...]:
        """Words of `name` without legal forms (kept whole if nothing else would remain)."""
        found = words(name)
        kept: list[str] = []
        index = 0
        while index < len(found):
            form = next((f for f in self._forms if tuple(found[index : index + len(f)]) == f), None)
            if form is None:
                kept.append(found[index])
                index += 1
            else:
                index += len(form)
        return tuple(kept or found)

    def key(self, name: str) -> str:
        """One comparable string for `name` (« OVH SAS » and « ovh » give « ovh »)."""
        return " ".join(self.tokens(name))
