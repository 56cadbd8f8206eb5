"""Answers files (`answers.yaml`): `question_id: réponse` lines plus an optional `meta:` block.

An optional `password_tests:` list holds the derived results of passwords tested during the
interview or with `rgpd-audit password --answers-out` (never a password; see rgpd_audit.password).

Every answer is checked against the questionnaire; a problem stops loading with a message that
names the file, the line and the question. Nothing is dropped silently: an unknown id, a value
of the wrong type or an answer to a question that is not asked are all errors. A key left
blank (`q.x:`) counts as not answered.
"""

from __future__ import annotations

import datetime as dt
import difflib
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError

from rgpd_audit.errors import ContentError, InputError
from rgpd_audit.password.results import PASSWORD_TESTS_KEY, Assessment
from rgpd_audit.questionnaire.conditions import walk
from rgpd_audit.questionnaire.schema import Questionnaire
from rgpd_audit.questionnaire.values import (
    DONT_KNOW,
    AnswerValueError,
    is_answered,
    is_dont_know,
    normalise_answer,
)
from rgpd_audit.yaml_source import YamlDocument, validation_message

META_KEY = "meta"
EXAMPLE_ANSWERS = "exemple-reponses.yaml"


class AnswersMeta(BaseModel):
    """Optional `meta:` block: who answered, for which profile, when."""

    model_config = ConfigDict(extra="forbid")

    practice_name: str | None = None
    profile: str | None = None
    date: dt.date | None = None


class Answers(BaseModel):
    """Validated answers, in questionnaire order.

    `values` holds normalised answers (see `rgpd_audit.questionnaire.values`), including
    `"je_ne_sais_pas"`; questions left blank are absent.
    """

    values: dict[str, JsonValue] = Field(default_factory=dict)
    meta: AnswersMeta = Field(default_factory=AnswersMeta)
    password_tests: list[Assessment] = Field(default_factory=list)
    source: str | None = None

    def is_answered(self, question_id: str) -> bool:
        """True when the question has an answer other than « je ne sais pas »."""
        return is_answered(self.values.get(question_id))


def load_answers(
    path: Path | Traversable, questionnaire: Questionnaire, profile: str | None = None
) -> Answers:
    """Read and validate an answers file against `questionnaire`.

    `profile` (e.g. from the command line) overrides `meta.profile`; with neither, questions
    of every profile may be answered. Raises `ContentError` naming file, line and question.
    """
    return _load(path, str(path), questionnaire, profile)


def load_example_answers(questionnaire: Questionnaire, profile: str | None = None) -> Answers:
    """The answers of the fictional « Cabinet du Dr Exemple » shipped for `rgpd-audit demo`."""
    resource = files("rgpd_audit.questionnaires") / EXAMPLE_ANSWERS
    return _load(resource, f"questionnaires/{EXAMPLE_ANSWERS}", questionnaire, profile)


def _load(
    path: Path | Traversable, source: str, questionnaire: Questionnaire, profile: str | None
) -> Answers:
    if profile is not None and profile not in questionnaire.profiles:
        raise InputError(
            f"profil « {profile} » inconnu (attendu : {', '.join(questionnaire.profiles)})"
        )
    doc = YamlDocument.read(path, source, kind="fichier de réponses")
    if doc.data is None:
        raise ContentError(f"{source} : fichier de réponses vide")
    if not isinstance(doc.data, dict):
        raise ContentError(
            f"{source}, ligne {doc.line(())} : le fichier doit contenir des lignes "
            "« identifiant_de_question: réponse », par exemple "
            "« q.communication.mssante_compte: oui »"
        )
    meta = _meta(doc, questionnaire)
    values = _values(doc, questionnaire)
    _reject_hidden(doc, questionnaire, values, profile or meta.profile)
    ordered = {q.id: values[q.id] for q in questionnaire.questions() if q.id in values}
    tests = _password_tests(doc)
    return Answers(values=ordered, meta=meta, password_tests=tests, source=source)


def _meta(doc: YamlDocument, questionnaire: Questionnaire) -> AnswersMeta:
    raw = doc.data.get(META_KEY)
    if raw is None:
        return AnswersMeta()
    try:
        meta = AnswersMeta.model_validate(raw)
    except ValidationError as exc:
        raise ContentError(validation_message(doc, exc, META_KEY)) from None
    if meta.profile is not None and meta.profile not in questionnaire.profiles:
        loc = (META_KEY, "profile")
        raise ContentError(
            f"{doc.source}, ligne {doc.line(loc)}, champ meta.profile : profil « {meta.profile} » "
            f"inconnu (attendu : {', '.join(questionnaire.profiles)})"
        )
    return meta


def _password_tests(doc: YamlDocument) -> list[Assessment]:
    raw = doc.data.get(PASSWORD_TESTS_KEY)
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ContentError(
            f"{doc.source}, ligne {doc.line((PASSWORD_TESTS_KEY,))}, champ {PASSWORD_TESTS_KEY} : "
            "liste attendue (résultats écrits par l'entretien ou « rgpd-audit password »)"
        )
    tests = []
    for index, item in enumerate(raw):
        try:
            tests.append(Assessment.model_validate(item))
        except ValidationError as exc:
            raise ContentError(validation_message(doc, exc, (PASSWORD_TESTS_KEY, index))) from None
    return tests


def _values(doc: YamlDocument, questionnaire: Questionnaire) -> dict[str, JsonValue]:
    values: dict[str, JsonValue] = {}
    known = [q.id for q in questionnaire.questions()]
    for key, raw in doc.data.items():
        if key in (META_KEY, PASSWORD_TESTS_KEY):
            continue
        if not isinstance(key, str):
            raise ContentError(
                f"{doc.source}, ligne {_key_line(doc, key)} : « {key} » n'est pas un "
                "identifiant de question (attendu : q.section.nom)"
            )
        where = f"{doc.source}, ligne {doc.line((key,), key=True)}, question {key}"
        question = questionnaire.question(key)
        if question is None:
            close = difflib.get_close_matches(key, known, n=3)
            hint = f" ; vouliez-vous dire {' ou '.join(close)} ?" if close else ""
            raise ContentError(f"{where} : identifiant de question inconnu{hint}")
        if raw is None:
            continue
        if is_dont_know(raw):
            values[key] = DONT_KNOW
            continue
        try:
            values[key] = normalise_answer(question, raw)
        except AnswerValueError as exc:
            if exc.index is not None:
                where = (
                    f"{doc.source}, ligne {doc.line((key, exc.index))}, question {key}, "
                    f"élément {exc.index + 1}"
                )
            raise ContentError(f"{where} : {exc.message}") from None
    return values


def _reject_hidden(
    doc: YamlDocument,
    questionnaire: Questionnaire,
    values: dict[str, JsonValue],
    profile: str | None,
) -> None:
    for visibility in walk(questionnaire, values, profile):
        question_id = visibility.question.id
        if not visibility.visible and question_id in values:
            raise ContentError(
                f"{doc.source}, ligne {doc.line((question_id,), key=True)}, "
                f"question {question_id} : question non posée, {visibility.reason} ; "
                "supprimez cette réponse, ou corrigez la réponse ou le profil dont elle dépend"
            )


def _key_line(doc: YamlDocument, key: Any) -> int | None:
    # Non-text keys (`yes:`, `12:`) cannot be found by their text; compare constructed values.
    root = doc.root
    if isinstance(root, yaml.MappingNode):
        for key_node, _ in root.value:
            if isinstance(key_node, yaml.ScalarNode) and yaml.safe_load(key_node.value) == key:
                return key_node.start_mark.line + 1
    return None
