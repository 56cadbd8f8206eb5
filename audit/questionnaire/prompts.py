"""What a person types at the interview prompt, turned into a stored answer.

Choices are picked by number (or by their value), yes/no by « o » / « n », dates in the French
order. Commands: « < » goes back, « ? » answers « je ne sais pas ». Every refusal explains, in
French, what is expected.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pydantic import JsonValue

from rgpd_audit.questionnaire.schema import Question, QuestionType
from rgpd_audit.questionnaire.values import (
    DONT_KNOW,
    AnswerValueError,
    is_dont_know,
    normalise_answer,
)

BACK_WORDS = frozenset({"<", "retour"})
DONT_KNOW_WORDS = frozenset({"?", "jnsp"})
NONE_WORDS = frozenset({"0", "aucun", "aucune"})
_FRENCH_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_SEPARATORS = re.compile(r"[,;\s]+")


@dataclass(frozen=True)
class Back:
    """The person asked to return to the previous question."""


@dataclass(frozen=True)
class Keep:
    """Empty input on a question already answered: the answer stays as it is."""


Reply = JsonValue | Back | Keep


def hint(question: Question) -> str:
    """How to answer `question`, shown under it."""
    kind = question.type
    if kind is QuestionType.YES_NO:
        return "Répondez o (oui) ou n (non)."
    if kind is QuestionType.SINGLE_CHOICE:
        return "Tapez le numéro de votre choix."
    if kind is QuestionType.MULTI_CHOICE:
        return "Tapez les numéros choisis, séparés par des virgules (ex. 1,3), ou 0 pour aucun."
    if kind is QuestionType.NUMBER:
        return "Tapez un nombre."
    if kind is QuestionType.DATE:
        return "Tapez une date (JJ/MM/AAAA)."
    return "Tapez votre réponse."


def parse_reply(question: Question, typed: str, *, answered: bool) -> Reply:
    """The answer meant by `typed`; raises `AnswerValueError` with what is expected.

    `answered` tells whether empty input keeps a previous answer or is refused.
    """
    text = typed.strip()
    word = text.lower()
    if not text:
        if answered:
            return Keep()
        raise AnswerValueError("réponse attendue (« ? » si vous ne savez pas)")
    if word in BACK_WORDS:
        return Back()
    if word in DONT_KNOW_WORDS or is_dont_know(text):
        return DONT_KNOW
    kind = question.type
    if kind is QuestionType.YES_NO:
        return _yes_no(word)
    if kind is QuestionType.SINGLE_CHOICE:
        return _choice(question, word)
    if kind is QuestionType.MULTI_CHOICE:
        if word in NONE_WORDS:
            return []
        picked = [_choice(question, part) for part in _SEPARATORS.split(word) if part]
        return normalise_answer(question, list(dict.fromkeys(picked)))
    if kind is QuestionType.NUMBER:
        return _number(text)
    if kind is QuestionType.DATE:
        return _date(text)
    return text


def _yes_no(word: str) -> str:
    if word in ("o", "oui", "y", "yes"):
        return "yes"
    if word in ("n", "non", "no"):
        return "no"
    raise AnswerValueError(f"réponse « {word} » incomprise : o (oui) ou n (non)")


def _choice(question: Question, word: str) -> str:
    choices = question.choices or []
    if word.isdigit() and 1 <= int(word) <= len(choices):
        return choices[int(word) - 1].value
    for choice in choices:
        if word == choice.value:
            return choice.value
    raise AnswerValueError(f"choix « {word} » inconnu : tapez un numéro entre 1 et {len(choices)}")


def _number(text: str) -> int | float:
    compact = text.replace(" ", "").replace("\u202f", "").replace(",", ".")
    try:
        return int(compact)
    except ValueError:
        pass
    try:
        number = float(compact)
    except ValueError:
        number = float("nan")
    if number != number or number in (float("inf"), float("-inf")):
        raise AnswerValueError(f"« {text} » n'est pas un nombre (ex. 12 ou 2,5)")
    return number


def _date(text: str) -> str:
    match = _FRENCH_DATE.match(text)
    try:
        if match:
            day, month, year = (int(part) for part in match.groups())
            return dt.date(year, month, day).isoformat()
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise AnswerValueError(f"« {text} » n'est pas une date valide (JJ/MM/AAAA)") from None
