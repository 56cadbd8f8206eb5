"""Score one password with zxcvbn, its English lists plus the French list and the practice's words.

`assess` is the only function that sees a password. It returns an `Assessment`, which holds
nothing but derived data: the zxcvbn match sequence (which contains pieces of the password)
never leaves it. Python cannot wipe a string from memory; the password is simply not kept.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Literal

from zxcvbn import feedback, matching, scoring, time_estimates

from rgpd_audit.password.catalogs import cnil_rules, feedback_table, french_words
from rgpd_audit.password.results import Assessment, CaseId

if TYPE_CHECKING:
    # One element of zxcvbn's match sequence, as its stubs (types-zxcvbn) describe it.
    from zxcvbn.matching import _Match

# zxcvbn refuses longer input; the first 72 characters are scored, which can only
# underestimate a longer password.
MAX_LENGTH = 72
FRENCH = "french"
USER_INPUTS = "user_inputs"
# Patterns a guessing attack enumerates before brute force.
# Dates and years are left out: most 4-digit PINs read as a date, and their low guess count
# already fails them where it matters.
_PREDICTABLE = {"dictionary", "spatial", "repeat", "sequence"}
_LOG2_10 = math.log2(10)
# A practice word shorter than this inside a password is likely a coincidence.
_MIN_PRACTICE_TOKEN = 4


@cache
def _french_dictionary() -> dict[str, int]:
    return matching.build_ranked_dict(list(french_words()))


def assess(
    password: str,
    *,
    label: str,
    case: CaseId = "seul",
    user_inputs: Sequence[str] = (),
) -> Assessment:
    """Estimate how guessable `password` is; only derived data is returned.

    `user_inputs` are the practice's words (see `practice.practice_words`). Raises
    `ValueError` for an empty password.
    """
    if not password:
        raise ValueError("mot de passe vide")
    scored = password[:MAX_LENGTH]
    # A private copy: zxcvbn's own entry point writes user inputs into a module-level dict.
    dictionaries = {
        **matching.RANKED_DICTIONARIES,
        FRENCH: _french_dictionary(),
        USER_INPUTS: matching.build_ranked_dict([w.lower() for w in user_inputs]),
    }
    matches = matching.omnimatch(scored, dictionaries)
    result = scoring.most_guessable_match_sequence(scored, matches)
    guesses = float(result["guesses"])
    sequence = result["sequence"]
    score = time_estimates.estimate_attack_times(guesses)["score"]
    warning, suggestions = _feedback(score, sequence)
    zxcvbn_bits = math.log2(max(guesses, 1.0))
    return Assessment(
        label=label,
        case=case,
        score=score,
        guesses=guesses,
        guesses_log2=round(zxcvbn_bits, 2),
        cnil_bits=round(_cnil_bits(scored, sequence, zxcvbn_bits), 2),
        predictable=_predictable(sequence, len(scored)),
        practice_word=any(
            m.get("dictionary_name") == USER_INPUTS and len(m["token"]) >= _MIN_PRACTICE_TOKEN
            for m in matches
        ),
        warning=warning,
        suggestions=suggestions,
    )


def character_classes(text: str) -> list[str]:
    """The CNIL character types present in `text` (accented letters count as letters)."""
    found = {
        "minuscules": any(c.islower() for c in text),
        "majuscules": any(c.isupper() for c in text),
        "chiffres": any(c.isdigit() for c in text),
        "speciaux": any(not c.isalnum() for c in text),
    }
    return [name for name, present in found.items() if present]


def _cnil_bits(password: str, sequence: list[_Match], zxcvbn_bits: float) -> float:
    """Bits in the CNIL's sense, never more than what a guessing attack needs.

    zxcvbn prices a character it cannot explain at 10 guesses; the CNIL counts the size of
    the alphabet the password draws from (99 for the four AZERTY types). The unexplained
    (brute-force) characters are re-priced that way, capped by the CNIL formula itself.
    """
    alphabet_bits = math.log2(cnil_rules().alphabet(character_classes(password)))
    formula = len(password) * alphabet_bits
    brute = sum(len(m["token"]) for m in sequence if _pattern(m) == "bruteforce")
    return min(formula, zxcvbn_bits + brute * max(alphabet_bits - _LOG2_10, 0.0))


def _pattern(match: _Match) -> str:
    # zxcvbn's scoring fills the gaps between matches with "bruteforce" ones, a pattern
    # types-zxcvbn leaves out of its list: read as any string.
    return match["pattern"]


def _predictable(sequence: list[_Match], length: int) -> bool:
    """True when one guessable pattern makes up at least half of the password."""
    return any(m["pattern"] in _PREDICTABLE and 2 * len(m["token"]) >= length for m in sequence)


def _longest(sequence: list[_Match]) -> _Match | None:
    return max(sequence, key=lambda m: len(m["token"]), default=None)


def _feedback(
    score: Literal[0, 1, 2, 3, 4], sequence: list[_Match]
) -> tuple[str | None, list[str]]:
    table = feedback_table()
    raw = feedback.get_feedback(score, sequence)
    warning = table.translate(raw["warning"]) if raw["warning"] else None
    suggestions = [table.translate(s) for s in raw["suggestions"]]
    longest = _longest(sequence)
    # zxcvbn only words warnings for its own (English) lists; ours get theirs.
    if warning is None and longest is not None and score <= 2:
        name = longest.get("dictionary_name")
        if name == USER_INPUTS:
            warning = table.own["practice_word"]
        elif name == FRENCH:
            warning = table.own["french_word"]
    return warning, list(dict.fromkeys(suggestions))
