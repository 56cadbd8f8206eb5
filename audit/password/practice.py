"""The practice's own words, given to zxcvbn as `user_inputs`.

An attacker who targets a practice tries its name, town, domain and practitioners' names
first; passwords built on them are judged as guessable.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from pydantic import JsonValue

CITY = "q.cabinet.ville"
PRACTITIONERS = "q.cabinet.praticiens"
MIN_WORD = 3
# Public suffixes and titles carry no information about the practice.
_NOISE = {"fr", "com", "net", "org", "eu", "sante", "dr", "docteur", "pr", "mme", "mr", "m"}


def fold(text: str) -> str:
    """Lower case without accents, as words are typed in passwords."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def practice_words(
    answers: Mapping[str, JsonValue],
    practice_name: str | None = None,
    domain: str | None = None,
) -> list[str]:
    """Words of the practice's name, domain, town and practitioners, with joined forms."""
    phrases: list[str] = []
    for value in (practice_name, domain, answers.get(CITY)):
        if isinstance(value, str):
            phrases.append(value)
    names = answers.get(PRACTITIONERS)
    if isinstance(names, str):
        phrases += names.split(",")
    return _words(phrases)


def _words(phrases: Iterable[str]) -> list[str]:
    words: list[str] = []
    for phrase in phrases:
        parts = [p for p in re.split(r"[^a-z0-9]+", fold(phrase)) if p]
        kept = [p for p in parts if len(p) >= MIN_WORD and p not in _NOISE]
        joined = "".join(p for p in parts if p not in _NOISE)
        for word in [*kept, joined]:
            if len(word) >= MIN_WORD and word not in words:
                words.append(word)
    return words
