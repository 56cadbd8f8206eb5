"""A commented answers skeleton (`rgpd-audit questionnaire template`), to fill in a text editor.

Every question is a blank key preceded by its text, the values allowed and the condition under
which it is asked. A blank key counts as unanswered, so the skeleton loads as is, and once
filled it is an ordinary answers file.
"""

from __future__ import annotations

import textwrap

from rgpd_audit.questionnaire.describe import applies_when, in_profile
from rgpd_audit.questionnaire.schema import Question, Questionnaire, QuestionType, Section

WIDTH = 96
RULE = "# " + "-" * (WIDTH - 2)


def answers_template(questionnaire: Questionnaire, profile: str | None = None) -> str:
    """The skeleton for `profile` (every question when None), ending with a newline."""
    label = questionnaire.profiles[profile] if profile else "tous profils"
    lines = [
        f"# Réponses au questionnaire « {questionnaire.title} » ({questionnaire.label}),",
        f"# profil : {label}.",
        "#",
        "# Écrivez chaque réponse après le « : » de sa question :",
        "#   - oui ou non pour les questions oui / non ;",
        "#   - la valeur d'un choix (le mot avant « = ») pour les questions à un choix ;",
        "#   - une liste [valeur1, valeur2] pour les questions à plusieurs choix ([] : aucun) ;",
        "#   - une date au format AAAA-MM-JJ ; un nombre sans unité ;",
        "#   - « je ne sais pas » si vous ne savez pas : le point sera « non évalué ».",
        "# Laissez vide une question dont la condition « Posée si » n'est pas remplie : y répondre",
        "# est signalé comme une erreur. Une question laissée vide compte comme sans réponse.",
        "# Utilisation : rgpd-audit run --domain … --answers ce-fichier.yaml",
        "",
        "meta:",
        "  practice_name:",
        f"  profile: {profile}" if profile else "  profile:",
        "  date:",
    ]
    sections = [
        (section, [q for q in section.questions if in_profile(section, q, profile)])
        for section in questionnaire.sections
    ]
    sections = [(section, questions) for section, questions in sections if questions]
    for number, (section, questions) in enumerate(sections, start=1):
        lines += ["", RULE, f"# Section {number}/{len(sections)} : {section.title}", RULE]
        for question in questions:
            lines += ["", *_question_block(questionnaire, section, question)]
    return "\n".join(lines) + "\n"


def _question_block(
    questionnaire: Questionnaire, section: Section, question: Question
) -> list[str]:
    lines = textwrap.wrap(question.text, WIDTH, initial_indent="# ", subsequent_indent="# ")
    lines += [f"#   Réponse : {_allowed(question)}"]
    lines += [f"#     {choice.value} = {choice.label}" for choice in question.choices or []]
    condition = applies_when(questionnaire, section, question)
    if condition:
        lines += textwrap.wrap(
            f"Posée si : {condition}", WIDTH, initial_indent="#   ", subsequent_indent="#     "
        )
    lines.append(f"{question.id}:")
    return lines


def _allowed(question: Question) -> str:
    kind = question.type
    if kind is QuestionType.YES_NO:
        return "oui ou non"
    if kind is QuestionType.SINGLE_CHOICE:
        return "une valeur parmi :"
    if kind is QuestionType.MULTI_CHOICE:
        first = (question.choices or [])[0].value
        return f"une liste de valeurs, par exemple [{first}], parmi :"
    if kind is QuestionType.NUMBER:
        return "un nombre"
    if kind is QuestionType.DATE:
        return "une date AAAA-MM-JJ"
    return "un texte (entre guillemets s'il contient « : » ou « # »)"
