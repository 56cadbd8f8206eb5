"""Matching answers against `when` conditions and scoring rules; which questions are asked.

An unanswered or « je ne sais pas » answer matches nothing: a question that depends on it is
not asked, and a scoring rule never fires on it (the question is reported as not evaluated).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import JsonValue

from rgpd_audit.questionnaire.schema import (
    Condition,
    Matcher,
    Question,
    Questionnaire,
    QuestionType,
    Section,
)
from rgpd_audit.questionnaire.values import (
    AnswerValueError,
    format_answer,
    is_answered,
    normalise_answer,
    normalise_scalar,
)

ALLOWED_OPERATORS: dict[QuestionType, frozenset[str]] = {
    QuestionType.YES_NO: frozenset({"equals", "in", "not_in"}),
    QuestionType.SINGLE_CHOICE: frozenset({"equals", "in", "not_in"}),
    QuestionType.MULTI_CHOICE: frozenset({"contains", "contains_any"}),
    QuestionType.NUMBER: frozenset({"equals", "in", "not_in", "lt", "lte", "gt", "gte"}),
    QuestionType.TEXT: frozenset({"equals", "in", "not_in"}),
    QuestionType.DATE: frozenset({"equals", "in", "not_in", "lt", "lte", "gt", "gte"}),
}
LIST_OPERATORS = frozenset({"in", "not_in", "contains_any"})


def operands(matcher: Matcher) -> list[Any]:
    """The operand(s) of a matcher as a list."""
    operand = matcher.operand
    return list(operand) if matcher.operator in LIST_OPERATORS else [operand]


def matches(matcher: Matcher, question: Question, value: JsonValue) -> bool:
    """Whether a stored answer to `question` satisfies `matcher`."""
    if not is_answered(value):
        return False
    try:
        # Answers built in code (not read from a file) may still say "oui" or True.
        value = normalise_answer(question, value)
    except AnswerValueError:
        return False
    wanted = [normalise_scalar(question, operand) for operand in operands(matcher)]
    op = matcher.operator
    if op in ("equals", "in"):
        return value in wanted
    if op == "not_in":
        return value not in wanted
    if op in ("contains", "contains_any"):
        return isinstance(value, list) and any(item in value for item in wanted)
    # Numbers compare as numbers, ISO dates as text: both orders are the natural one.
    limit = wanted[0]
    if isinstance(value, str) != isinstance(limit, str):
        return False
    if op == "lt":
        return value < limit  # type: ignore[operator]
    if op == "lte":
        return value <= limit  # type: ignore[operator]
    if op == "gt":
        return value > limit  # type: ignore[operator]
    return value >= limit  # type: ignore[operator]


@dataclass(frozen=True)
class Visibility:
    """Whether a question is asked, and if not, why (in French)."""

    question: Question
    section: Section
    visible: bool
    reason: str | None = None


def walk(
    questionnaire: Questionnaire, values: Mapping[str, JsonValue], profile: str | None
) -> list[Visibility]:
    """Every question in order, with its visibility given the answers and the profile.

    Only answers to visible questions count for later conditions, so a chain of conditions
    collapses as soon as one link is hidden. `profile=None` shows every profile's questions.
    """
    asked: dict[str, JsonValue] = {}
    result = []
    for section in questionnaire.sections:
        section_reason = _profile_reason(
            questionnaire, section.profiles, profile, f"la section « {section.title} »"
        ) or _condition_reason(questionnaire, section.when, asked)
        for question in section.questions:
            reason = (
                section_reason
                or _profile_reason(questionnaire, question.profiles, profile, "elle")
                or _condition_reason(questionnaire, question.when, asked)
            )
            if reason is None and question.id in values:
                asked[question.id] = values[question.id]
            result.append(Visibility(question, section, reason is None, reason))
    return result


def _profile_reason(
    questionnaire: Questionnaire, profiles: list[str] | None, profile: str | None, what: str
) -> str | None:
    if profile is None or profiles is None or profile in profiles:
        return None
    label = questionnaire.profiles.get(profile, profile)
    return f"{what} ne concerne pas le profil « {label} »"


def _condition_reason(
    questionnaire: Questionnaire, condition: Condition | None, asked: Mapping[str, JsonValue]
) -> str | None:
    for question_id, matcher in (condition or {}).items():
        question = questionnaire.question(question_id)
        if question is None:  # ruled out when the questionnaire is loaded
            return f"condition sur une question inconnue {question_id}"
        value = asked.get(question_id)
        if not matches(matcher, question, value):
            given = (
                f"réponse donnée : « {format_answer(question, value)} »"
                if question_id in asked
                else "pas de réponse"
            )
            return f"elle dépend de la réponse à {question_id} ({given})"
    return None
