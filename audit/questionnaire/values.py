"""Answer values: normalisation of what a person typed, and French wording of a stored value.

Stored forms: yes_no → "yes" / "no"; single_choice → a choice value; multi_choice → a list of
choice values; number → int or float; text → str; date → "AAAA-MM-JJ"; "don't know" →
`DONT_KNOW`. The same functions normalise the operands written in the questionnaire, so
`oui`, `yes` and `true` mean the same thing on both sides.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import JsonValue

from rgpd_audit.questionnaire.schema import Question, QuestionType

DONT_KNOW = "je_ne_sais_pas"
YES = "yes"
NO = "no"

_YES_WORDS = {"oui", "yes", "true"}
_NO_WORDS = {"non", "no", "false"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class AnswerValueError(ValueError):
    """An answer that does not fit its question; `index` points into a list answer."""

    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.index = index


def is_dont_know(raw: Any) -> bool:
    """True for `je_ne_sais_pas`, « je ne sais pas » and their case/spacing variants."""
    if not isinstance(raw, str):
        return False
    words = raw.strip().lower().replace("_", " ").split()
    return words == ["je", "ne", "sais", "pas"]


def is_answered(value: JsonValue) -> bool:
    """A stored value that can be evaluated (present and not « je ne sais pas »)."""
    return value is not None and value != DONT_KNOW


def normalise_answer(question: Question, raw: Any) -> JsonValue:
    """The stored form of `raw` for `question`; raises `AnswerValueError` in French."""
    if question.type is QuestionType.MULTI_CHOICE:
        if not isinstance(raw, list):
            raise AnswerValueError(
                f"liste attendue, par exemple [{_values(question)[0]}] "
                f"(choix possibles : {', '.join(_values(question))})"
            )
        result: list[JsonValue] = []
        for index, item in enumerate(raw):
            try:
                value = _choice(question, item)
            except AnswerValueError as exc:
                raise AnswerValueError(exc.message, index) from None
            if value in result:
                raise AnswerValueError(f"choix « {value} » répété", index)
            result.append(value)
        return result
    return normalise_scalar(question, raw)


def normalise_scalar(question: Question, raw: Any) -> JsonValue:
    """One value of the question's type (one choice for multi_choice questions)."""
    kind = question.type
    if kind is QuestionType.YES_NO:
        return _yes_no(raw)
    if kind.has_choices:
        return _choice(question, raw)
    if kind is QuestionType.NUMBER:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise AnswerValueError(f"réponse « {raw} » invalide : nombre attendu (par exemple 12)")
        return raw
    if kind is QuestionType.DATE:
        return _date(raw)
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise AnswerValueError(f"réponse « {raw} » invalide : texte attendu")
    return str(raw)


def format_answer(question: Question, value: JsonValue) -> str:
    """A stored value in French words, e.g. the label of the chosen option."""
    if value is None:
        return "sans réponse"
    if value == DONT_KNOW:
        return "je ne sais pas"
    kind = question.type
    if kind is QuestionType.YES_NO:
        return "Oui" if value == YES else "Non"
    if kind is QuestionType.SINGLE_CHOICE:
        return question.choice_label(str(value))
    if kind is QuestionType.MULTI_CHOICE:
        items = value if isinstance(value, list) else [value]
        return " ; ".join(question.choice_label(str(item)) for item in items) or "aucun choix"
    if kind is QuestionType.NUMBER:
        return str(value).replace(".", ",")
    if kind is QuestionType.DATE:
        return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    return str(value)


def _yes_no(raw: Any) -> str:
    # YAML 1.1 already turns unquoted yes/no/true/false into booleans; oui/non stay text.
    if isinstance(raw, bool):
        return YES if raw else NO
    if isinstance(raw, str):
        word = raw.strip().lower()
        if word in _YES_WORDS:
            return YES
        if word in _NO_WORDS:
            return NO
    raise AnswerValueError(f"réponse « {raw} » invalide : oui ou non attendu")


def _choice(question: Question, raw: Any) -> str:
    values = _values(question)
    if isinstance(raw, str) and raw in values:
        return raw
    raise AnswerValueError(f"choix « {raw} » inconnu (attendu : {', '.join(values)})")


def _date(raw: Any) -> str:
    if isinstance(raw, dt.datetime):
        raise AnswerValueError(
            f"réponse « {raw} » invalide : date sans heure attendue (AAAA-MM-JJ)"
        )
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, str) and _ISO_DATE.match(raw.strip()):
        try:
            return dt.date.fromisoformat(raw.strip()).isoformat()
        except ValueError:
            pass
    raise AnswerValueError(f"réponse « {raw} » invalide : date attendue (AAAA-MM-JJ)")


def _values(question: Question) -> list[str]:
    return [choice.value for choice in question.choices or []]
