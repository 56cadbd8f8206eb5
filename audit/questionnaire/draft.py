"""Answers written by the interview: the draft saved after every answer, and the final file.

Both are ordinary answers files (the format `--answers` reads), so a draft can be resumed, or
used as is for an audit; its unanswered questions are then reported as not evaluated. Writes
are atomic and private (0600): an interrupted write leaves the previous version intact.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import yaml
from pydantic import JsonValue

from rgpd_audit.files import ensure_private_dir, write_private
from rgpd_audit.questionnaire.answers import AnswersMeta
from rgpd_audit.questionnaire.schema import Questionnaire, QuestionType
from rgpd_audit.questionnaire.values import DONT_KNOW, YES

DEFAULT_ANSWERS_NAME = "reponses.yaml"
DRAFT_SUFFIX = ".brouillon.yaml"


def draft_path(answers_path: Path) -> Path:
    """The draft beside `answers_path`: `reponses.yaml` → `reponses.brouillon.yaml`."""
    name = answers_path.name
    stem = name[: -len(".yaml")] if name.endswith(".yaml") else name
    return answers_path.with_name(stem + DRAFT_SUFFIX)


def dump_answers(
    questionnaire: Questionnaire,
    values: Mapping[str, JsonValue],
    meta: AnswersMeta,
    *,
    complete: bool,
) -> str:
    """An answers file for `values`, in questionnaire order, yes/no written « oui » / « non »."""
    state = (
        "Entretien terminé."
        if complete
        else "Brouillon d'un entretien en cours : reprenez-le avec l'option --resume."
    )
    header = (
        f"# Réponses au questionnaire « {questionnaire.title} » ({questionnaire.label}).\n"
        f"# {state}\n"
        "# Fichier utilisable tel quel avec « rgpd-audit run --answers ».\n"
    )
    meta_block = {"meta": meta.model_dump(mode="json", exclude_none=True)}
    lines = [
        f"{question.id}: {_flow(_written(question.type, values[question.id]))}"
        for question in questionnaire.questions()
        if question.id in values
    ]
    # One line per answer (lists in brackets), as a person writes them by hand.
    text = header + yaml.safe_dump(meta_block, allow_unicode=True, default_flow_style=False)
    return text + "".join(f"{line}\n" for line in lines)


def save(path: Path, text: str) -> None:
    """Write `text` to `path` atomically, mode 0600, creating its folder (0700) if needed."""
    ensure_private_dir(path.parent)
    write_private(path, text.encode("utf-8"))


def discard(path: Path) -> None:
    """Remove a draft once its answers are safely written elsewhere."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def today_meta(meta: AnswersMeta) -> AnswersMeta:
    """`meta` dated today, the day the interview ends."""
    return meta.model_copy(update={"date": dt.date.today()})


def _flow(value: JsonValue) -> str:
    # YAML quotes whatever would otherwise read back as another type ("12", "oui: non"…).
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=1_000_000)
    return text.removesuffix("\n...\n").removesuffix("\n")


def _written(kind: QuestionType, value: JsonValue) -> JsonValue:
    if value == DONT_KNOW:
        return "je ne sais pas"
    if kind is QuestionType.YES_NO:
        return "oui" if value == YES else "non"
    return value
