"""Last year's answers as the starting point of this year's interview (`--reprendre`).

The recorded answers are checked against today's questionnaire: an answer to a question that
no longer exists, whose value is no longer a valid choice, or that is no longer asked (its
condition or profile) is dropped, so that the interview asks exactly what is new or changed.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import JsonValue

from rgpd_audit.questionnaire.conditions import walk
from rgpd_audit.questionnaire.schema import Questionnaire
from rgpd_audit.questionnaire.values import AnswerValueError, normalise_answer


def reusable_answers(
    questionnaire: Questionnaire, profile: str | None, recorded: Mapping[str, JsonValue]
) -> dict[str, JsonValue]:
    """The recorded answers still valid for `questionnaire` and `profile`, in its form."""
    valid: dict[str, JsonValue] = {}
    for question_id, raw in recorded.items():
        question = questionnaire.question(question_id)
        if question is None:
            continue
        try:
            valid[question_id] = normalise_answer(question, raw)
        except AnswerValueError:
            continue
    asked = {v.question.id for v in walk(questionnaire, valid, profile) if v.visible}
    return {qid: value for qid, value in valid.items() if qid in asked}
