"""JSON Schema of an answers file, generated from a pydantic model built from the questionnaire.

The schema describes what `load_answers` accepts value by value (editors and scripts can check
a file before running the tool). Rules that depend on other answers (a question whose `when`
is false must stay blank) cannot be expressed here; `load_answers` still enforces them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from rgpd_audit.password.results import Assessment
from rgpd_audit.questionnaire.describe import applies_when
from rgpd_audit.questionnaire.schema import Question, Questionnaire, QuestionType

DontKnow = Literal["je_ne_sais_pas", "je ne sais pas"]
YesNo = Literal["oui", "non", "yes", "no", "true", "false"] | bool


def answers_model(questionnaire: Questionnaire) -> type[BaseModel]:
    """A pydantic model with one optional field per question, aliased by the question id."""
    fields: dict[str, Any] = {"meta": (_meta_model(questionnaire) | None, Field(None))}
    for section in questionnaire.sections:
        for question in section.questions:
            description = question.text
            condition = applies_when(questionnaire, section, question)
            if condition:
                description += f" (posée si : {condition})"
            # Field names cannot contain dots; the question id is the alias used in the file.
            name = question.id.replace(".", "__")
            fields[name] = (
                _annotation(question) | DontKnow | None,
                Field(None, alias=question.id, title=question.id, description=description),
            )
    # Derived results of passwords tested during the interview (never the passwords).
    fields["password_tests"] = (
        list[Assessment] | None,
        Field(None, description="Résultats des mots de passe testés (jamais les mots de passe)"),
    )
    return create_model(
        f"Reponses_{questionnaire.id}",
        __config__=ConfigDict(extra="forbid", populate_by_name=False),
        __doc__=f"Fichier de réponses au questionnaire {questionnaire.label}.",
        **fields,
    )


def answers_json_schema(questionnaire: Questionnaire) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of answers files for `questionnaire`."""
    schema = answers_model(questionnaire).model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"Réponses au questionnaire {questionnaire.label}"
    return schema


def _meta_model(questionnaire: Questionnaire) -> type[BaseModel]:
    # Same fields as AnswersMeta (a test keeps them in step), with the profiles spelled out.
    # Built at run time from the questionnaire: a value for pydantic, not a static type.
    profiles: Any = Literal[tuple(questionnaire.profiles)]
    return create_model(
        "Meta",
        __config__=ConfigDict(extra="forbid"),
        __doc__="Qui a répondu, pour quel profil, à quelle date.",
        practice_name=(str | None, Field(None, description="Nom du cabinet")),
        profile=(
            profiles | None,
            Field(
                None, description=", ".join(f"{k} : {v}" for k, v in questionnaire.profiles.items())
            ),
        ),
        date=(dt.date | None, Field(None, description="Date des réponses (AAAA-MM-JJ)")),
    )


def _annotation(question: Question) -> Any:
    kind = question.type
    if kind is QuestionType.YES_NO:
        return YesNo
    if kind.has_choices:
        values = tuple(choice.value for choice in question.choices or [])
        choice: Any = Literal[values]
        return list[choice] if kind is QuestionType.MULTI_CHOICE else choice
    if kind is QuestionType.NUMBER:
        return float
    if kind is QuestionType.DATE:
        return dt.date
    return str
