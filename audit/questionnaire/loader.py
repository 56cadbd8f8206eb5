"""Loading and validating questionnaire files.

Everything that can be wrong in a questionnaire is reported when it is loaded, with the file,
the line, the question id and the field, so that a DPO editing the YAML can fix it alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from rgpd_audit.catalog import references, scoring_table
from rgpd_audit.errors import ContentError
from rgpd_audit.questionnaire.conditions import ALLOWED_OPERATORS, LIST_OPERATORS, operands
from rgpd_audit.questionnaire.schema import (
    PROFILE_ID_PATTERN,
    Condition,
    Matcher,
    Question,
    Questionnaire,
    QuestionType,
)
from rgpd_audit.questionnaire.values import DONT_KNOW, AnswerValueError, normalise_scalar
from rgpd_audit.yaml_source import PathPart, YamlDocument, field_path, first_error

PACKAGE = "rgpd_audit.questionnaires"
_NAME = re.compile(r"^[a-z0-9_-]+$")
# Words that YAML 1.1 reads as booleans or null: as choice values they would never match.
_AMBIGUOUS_CHOICES = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", DONT_KNOW}


def load_questionnaire(name: str = "sante") -> Questionnaire:
    """The questionnaire `questionnaires/<name>.yaml` shipped with the tool (cached)."""
    # Cached on the name only: `load_questionnaire()` and `load_questionnaire("sante")` share it.
    return _load_packaged(name)


@cache
def _load_packaged(name: str) -> Questionnaire:
    source = f"questionnaires/{name}.yaml"
    if not _NAME.match(name):
        raise ContentError(f"nom de questionnaire invalide « {name} »")
    resource = files(PACKAGE) / f"{name}.yaml"
    if not resource.is_file():
        raise ContentError(f"questionnaire « {name} » introuvable ({source})")
    return _validate(YamlDocument.read(resource, source, kind="fichier de questionnaire"))


def load_questionnaire_file(path: Path) -> Questionnaire:
    """A questionnaire supplied by the user; errors name `path` as given."""
    return _validate(YamlDocument.read(Path(path), str(path), kind="fichier de questionnaire"))


def parse_questionnaire(text: str, source: str) -> Questionnaire:
    """Parse and fully validate a questionnaire; `source` names the file in messages."""
    return _validate(YamlDocument.parse(text, source))


def _validate(doc: YamlDocument) -> Questionnaire:
    source = doc.source
    if not isinstance(doc.data, dict):
        raise ContentError(
            f"{source} : un questionnaire doit être un bloc « clé: valeur » "
            "(id, version, profiles, sections)"
        )
    where = _Locator(doc)
    try:
        questionnaire = Questionnaire.model_validate(doc.data)
    except ValidationError as exc:
        loc, message = first_error(exc)
        raise where.error(loc, message) from None
    _check(questionnaire, where)
    return questionnaire


class _Locator:
    """Builds « fichier, ligne N, question q.x, champ f : message » from a path in the file."""

    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc

    def error(self, path: Sequence[PathPart], message: str, *, key: bool = False) -> ContentError:
        """A `ContentError` located at `path` (at its key when `key` is true)."""
        return ContentError(f"{self.where(path, key=key)} : {message}")

    def where(self, path: Sequence[PathPart], *, key: bool = False) -> str:
        """« fichier, ligne N, question q.x, champ f » for `path`."""
        parts = [self.doc.source]
        line = self.doc.line(path, key=key)
        if line is not None:
            parts.append(f"ligne {line}")
        path = list(path)
        if len(path) >= 4 and path[0] == "sections" and path[2] == "questions":
            parts.append(f"question {self._question_id(path)}")
            path = path[4:]
        elif len(path) >= 2 and path[0] == "sections":
            parts.append(f"section {self.raw(path[:2]).get('id', f'n° {int(path[1]) + 1}')}")
            path = path[2:]
        if path:
            parts.append(f"champ {field_path(path)}")
        return ", ".join(parts)

    def line(self, path: Sequence[PathPart]) -> int | None:
        """1-based line of the value at `path`."""
        return self.doc.line(path)

    def _question_id(self, path: list[PathPart]) -> str:
        question_id = self.raw(path[:4]).get("id")
        if isinstance(question_id, str):
            return question_id
        return f"n° {int(path[3]) + 1} de la section {self.raw(path[:2]).get('id', '?')}"

    def raw(self, path: Sequence[PathPart]) -> dict[str, Any]:
        """The raw YAML mapping at `path` (empty when absent or not a mapping)."""
        data: Any = self.doc.data
        for part in path:
            try:
                data = data[part]
            except (KeyError, IndexError, TypeError):
                return {}
        return data if isinstance(data, dict) else {}


def _check(questionnaire: Questionnaire, where: _Locator) -> None:
    profiles = questionnaire.profiles
    for profile_id in profiles:
        if not re.match(PROFILE_ID_PATTERN, profile_id):
            raise where.error(
                ("profiles", profile_id),
                f"identifiant de profil « {profile_id} » invalide (minuscules, chiffres et tirets)",
                key=True,
            )
    categories = scoring_table().categories
    section_ids: dict[str, int | None] = {}
    # Questions seen so far: a condition may only look back, never forward.
    earlier: dict[str, tuple[Question, int | None]] = {}
    for s_index, section in enumerate(questionnaire.sections):
        s_path: tuple[PathPart, ...] = ("sections", s_index)
        if section.id in section_ids:
            raise where.error(
                (*s_path, "id"),
                f"identifiant de section déjà utilisé ligne {section_ids[section.id]}",
            )
        section_ids[section.id] = where.line((*s_path, "id"))
        _check_profiles(section.profiles, profiles, (*s_path, "profiles"), where)
        _check_condition(section.when, questionnaire, earlier, (*s_path, "when"), where)
        for q_index, question in enumerate(section.questions):
            path: tuple[PathPart, ...] = (*s_path, "questions", q_index)
            if question.id in earlier:
                raise where.error(
                    (*path, "id"), f"identifiant déjà utilisé ligne {earlier[question.id][1]}"
                )
            _check_profiles(question.profiles, profiles, (*path, "profiles"), where)
            _check_choices(question, path, where)
            _check_condition(question.when, questionnaire, earlier, (*path, "when"), where)
            if question.category not in categories:
                raise where.error(
                    (*path, "category"),
                    f"catégorie « {question.category} » inconnue "
                    f"(attendu : {', '.join(categories)}, voir audit/data/scoring.yaml)",
                )
            _check_scoring(question, path, where)
            earlier[question.id] = (question, where.line((*path, "id")))


def _check_profiles(
    listed: list[str] | None, known: dict[str, str], path: tuple[PathPart, ...], where: _Locator
) -> None:
    for index, profile in enumerate(listed or []):
        if profile not in known:
            raise where.error(
                (*path, index), f"profil « {profile} » inconnu (attendu : {', '.join(known)})"
            )


def _check_choices(question: Question, path: tuple[PathPart, ...], where: _Locator) -> None:
    if not question.type.has_choices:
        if question.choices is not None:
            raise where.error(
                (*path, "choices"),
                f"une question de type {question.type} n'a pas de choix "
                "(réservés aux types single_choice et multi_choice)",
            )
        return
    if not question.choices or len(question.choices) < 2:
        raise where.error(
            (*path, "choices"),
            f"au moins deux choix attendus pour une question de type {question.type}",
        )
    seen: set[str] = set()
    for index, choice in enumerate(question.choices):
        if choice.value in seen:
            raise where.error(
                (*path, "choices", index, "value"), f"valeur « {choice.value} » répétée"
            )
        if choice.value in _AMBIGUOUS_CHOICES:
            raise where.error(
                (*path, "choices", index, "value"),
                f"valeur « {choice.value} » réservée ou lue par YAML comme oui/non/vide : "
                "choisissez un autre mot",
            )
        seen.add(choice.value)


def _check_condition(
    condition: Condition | None,
    questionnaire: Questionnaire,
    earlier: dict[str, tuple[Question, int | None]],
    path: tuple[PathPart, ...],
    where: _Locator,
) -> None:
    for question_id, matcher in (condition or {}).items():
        if question_id not in earlier:
            if questionnaire.question(question_id) is not None:
                message = (
                    f"la condition porte sur {question_id}, définie plus loin dans le fichier : "
                    "une condition ne peut porter que sur une question posée avant"
                )
            else:
                message = f"la condition porte sur une question inconnue « {question_id} »"
            raise where.error((*path, question_id), message, key=True)
        _check_matcher(earlier[question_id][0], matcher, (*path, question_id), where)


def _check_scoring(question: Question, path: tuple[PathPart, ...], where: _Locator) -> None:
    if not question.scoring:
        if question.pass_ is not None:
            raise where.error(
                (*path, "pass"), "bloc « pass » sans règle « scoring » : supprimez-le"
            )
        return
    if not question.finding_title:
        raise where.error(
            (*path, "finding_title"),
            "champ obligatoire pour une question notée (titre du constat si la réponse est "
            "conforme ou absente)",
        )
    catalog = references()
    if question.basis_reference:
        catalog.resolve([question.basis_reference], where.where((*path, "basis_reference")))
    for index, rule in enumerate(question.scoring):
        rule_path = (*path, "scoring", index)
        _check_matcher(question, rule.when_answer, (*rule_path, "when_answer"), where)
        catalog.resolve(rule.references, where.where((*rule_path, "references")))
        if rule.basis_reference:
            catalog.resolve([rule.basis_reference], where.where((*rule_path, "basis_reference")))


def _check_matcher(
    question: Question, matcher: Matcher, path: tuple[PathPart, ...], where: _Locator
) -> None:
    operator = matcher.operator
    allowed = ALLOWED_OPERATORS[question.type]
    # A bare value has no operator key in the file: point at the value itself.
    op_path = (*path, operator) if where.raw(path) else path
    if operator not in allowed:
        hint = ""
        if question.type is QuestionType.MULTI_CHOICE:
            hint = " (une réponse à choix multiples est une liste : utilisez contains)"
        raise where.error(
            op_path,
            f"opérateur « {operator} » impossible pour {question.id}, de type {question.type} "
            f"(possibles : {', '.join(sorted(allowed))}){hint}",
        )
    if operator == "equals" and isinstance(matcher.operand, list):
        raise where.error(op_path, "une liste de valeurs s'écrit {in: [valeur1, valeur2]}")
    if operator in LIST_OPERATORS and not matcher.operand:
        raise where.error(op_path, "liste vide")
    for index, operand in enumerate(operands(matcher)):
        try:
            normalise_scalar(question, operand)
        except AnswerValueError as exc:
            item_path = (*op_path, index) if operator in LIST_OPERATORS else op_path
            raise where.error(item_path, f"{exc.message} pour {question.id}") from None
