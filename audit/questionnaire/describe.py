"""The questionnaire in plain French, for `questionnaire show` and the answers template.

A DPO reviews the content from this description without reading the YAML: every question with
its type, its choices, the condition under which it is asked and the references it cites.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from rgpd_audit.catalog import references
from rgpd_audit.questionnaire.conditions import operands
from rgpd_audit.questionnaire.schema import (
    Condition,
    Matcher,
    Question,
    Questionnaire,
    QuestionType,
    Section,
)
from rgpd_audit.questionnaire.values import AnswerValueError, format_answer, normalise_scalar

TYPE_LABELS: dict[QuestionType, str] = {
    QuestionType.YES_NO: "oui / non",
    QuestionType.SINGLE_CHOICE: "un choix",
    QuestionType.MULTI_CHOICE: "plusieurs choix",
    QuestionType.NUMBER: "nombre",
    QuestionType.TEXT: "texte libre",
    QuestionType.DATE: "date",
}

_COMPARISONS = {
    "lt": ("est inférieur à", "est avant le"),
    "lte": ("est inférieur ou égal à", "est au plus tard le"),
    "gt": ("est supérieur à", "est après le"),
    "gte": ("est supérieur ou égal à", "est au plus tôt le"),
}


class ChoiceView(BaseModel):
    """A possible answer: the value written in answers files and its label."""

    value: str
    label: str


class ReferenceView(BaseModel):
    """A reference cited by the question's scoring rules."""

    slug: str
    label: str
    url: str | None = None


class QuestionView(BaseModel):
    """One question as `questionnaire show` prints it."""

    id: str
    section: str
    section_title: str
    text: str
    help: str
    type: QuestionType
    type_label: str
    choices: list[ChoiceView]
    condition: str | None
    profiles: list[str] | None
    category: str
    scored: bool
    references: list[ReferenceView]


def describe_condition(questionnaire: Questionnaire, condition: Condition | None) -> str | None:
    """`{q.a: oui, q.b: {contains: x}}` as « q.a est « Oui » et q.b comprend « X » »."""
    if not condition:
        return None
    parts = []
    for question_id, matcher in condition.items():
        question = questionnaire.question(question_id)
        if question is None:  # ruled out when the questionnaire is loaded
            parts.append(f"{question_id} {matcher.operator} {matcher.operand}")
            continue
        parts.append(f"{question_id} {_matcher_words(question, matcher)}")
    return " et ".join(parts)


def applies_when(questionnaire: Questionnaire, section: Section, question: Question) -> str | None:
    """Every restriction on a question (profiles, section and question conditions) in words."""
    parts = []
    profiles = question.profiles or section.profiles
    if section.profiles and question.profiles:
        profiles = [p for p in question.profiles if p in section.profiles]
    if profiles is not None:
        labels = ", ".join(questionnaire.profiles.get(p, p) for p in profiles)
        parts.append(f"profil {labels}")
    for condition in (section.when, question.when):
        words = describe_condition(questionnaire, condition)
        if words:
            parts.append(words)
    return " ; ".join(parts) or None


def question_views(questionnaire: Questionnaire, profile: str | None = None) -> list[QuestionView]:
    """Every question (of `profile` when given), in order, ready to print or dump as JSON."""
    catalog = references()
    views = []
    for section in questionnaire.sections:
        for question in section.questions:
            if not in_profile(section, question, profile):
                continue
            refs = catalog.resolve(question.reference_slugs, question.id)
            views.append(
                QuestionView(
                    id=question.id,
                    section=section.id,
                    section_title=section.title,
                    text=question.text,
                    help=question.help,
                    type=question.type,
                    type_label=TYPE_LABELS[question.type],
                    choices=[
                        ChoiceView(value=c.value, label=c.label) for c in question.choices or []
                    ],
                    condition=applies_when(questionnaire, section, question),
                    profiles=question.profiles or section.profiles,
                    category=question.category,
                    scored=question.scored,
                    references=[
                        ReferenceView(slug=slug, label=ref.label, url=ref.url)
                        for slug, ref in zip(question.reference_slugs, refs, strict=True)
                    ],
                )
            )
    return views


def render_text(questionnaire: Questionnaire, views: list[QuestionView]) -> str:
    """The views as plain text, section by section."""
    lines = [f"{questionnaire.title} ({questionnaire.label}) — {len(views)} question(s)"]
    current = None
    for view in views:
        if view.section != current:
            current = view.section
            lines += ["", f"== {view.section_title} [{view.section}] =="]
        lines += ["", f"{view.id} — {view.text}", f"  Type : {view.type_label}"]
        lines += [f"    {choice.value} : {choice.label}" for choice in view.choices]
        if view.condition:
            lines.append(f"  Posée si : {view.condition}")
        lines.append(f"  Aide : {view.help.strip()}")
        if view.scored:
            lines.append(f"  Catégorie : {view.category}")
            lines += [f"  Référence : {ref.label}" for ref in view.references]
        else:
            lines.append("  Question de tri (pas de constat)")
    return "\n".join(lines)


def in_profile(section: Section, question: Question, profile: str | None) -> bool:
    """Whether `question` is meant for `profile` (every question is, when `profile` is None)."""
    if profile is None:
        return True
    return all(
        listed is None or profile in listed for listed in (section.profiles, question.profiles)
    )


def _matcher_words(question: Question, matcher: Matcher) -> str:
    words = [_word(question, operand) for operand in operands(matcher)]
    op = matcher.operator
    if op == "equals":
        return f"est {words[0]}"
    if op == "in":
        return f"est {' ou '.join(words)}"
    if op == "not_in":
        return f"n'est pas {' ni '.join(words)}"
    if op in ("contains", "contains_any"):
        return f"comprend {' ou '.join(words)}"
    number_words, date_words = _COMPARISONS[op]
    return f"{date_words if question.type is QuestionType.DATE else number_words} {words[0]}"


def _word(question: Question, operand: Any) -> str:
    try:
        value = normalise_scalar(question, operand)
    except AnswerValueError:  # ruled out when the questionnaire is loaded
        return f"« {operand} »"
    return f"« {format_answer(question, value)} »"
