"""Turning answers into findings, one per scored question that is asked.

Pass, fail and « not evaluated » findings of a question all carry the question's highest rule
severity as `check_severity`, so the question weighs the same in the score whatever the answer;
a failure loses the weight of the rule that fired.
"""

from __future__ import annotations

from pydantic import JsonValue

from rgpd_audit.catalog import references
from rgpd_audit.models import AnswerLine, ErrorInfo, Evidence, Finding, Status
from rgpd_audit.questionnaire.answers import Answers
from rgpd_audit.questionnaire.conditions import matches, walk
from rgpd_audit.questionnaire.schema import Question, Questionnaire, ScoringRule
from rgpd_audit.questionnaire.values import (
    DONT_KNOW,
    AnswerValueError,
    format_answer,
    is_answered,
    normalise_answer,
)

NO_ACTION = "Aucune action nécessaire sur ce point."


def evaluate(
    questionnaire: Questionnaire, answers: Answers, profile: str | None = None
) -> list[Finding]:
    """Findings for the scored questions asked to this practice, in questionnaire order.

    `profile` defaults to the answers' `meta.profile`. Questions hidden by their profile or by a
    `when` condition produce nothing; unanswered and « je ne sais pas » produce an
    `indeterminate` finding with `reason="unanswered"`.
    """
    profile = profile or answers.meta.profile
    values = _normalised(questionnaire, answers.values)
    return [
        _finding(visibility.question, values.get(visibility.question.id))
        for visibility in walk(questionnaire, values, profile)
        if visibility.visible and visibility.question.scored
    ]


def answer_lines(
    questionnaire: Questionnaire, answers: Answers, profile: str | None = None
) -> list[AnswerLine]:
    """The answers to the questions asked, in questionnaire order, worded for the report."""
    values = _normalised(questionnaire, answers.values)
    return [
        AnswerLine(
            question_id=v.question.id,
            section=v.section.title,
            question=v.question.text,
            answer=format_answer(v.question, values[v.question.id]),
        )
        for v in walk(questionnaire, values, profile or answers.meta.profile)
        if v.visible and v.question.id in values
    ]


def _normalised(questionnaire: Questionnaire, values: dict[str, JsonValue]) -> dict[str, JsonValue]:
    # Files are normalised by load_answers; answers built in code may still say "oui" or True.
    result = dict(values)
    for question_id, value in values.items():
        question = questionnaire.question(question_id)
        if question is not None and is_answered(value):
            try:
                result[question_id] = normalise_answer(question, value)
            except AnswerValueError:
                result[question_id] = None
    return result


def _finding(question: Question, value: JsonValue) -> Finding:
    catalog = references()
    severity = question.max_severity
    common = {
        "check_id": question.id,
        "source": "questionnaire",
        "category": question.category,
        "check_severity": severity,
        "counts_as": question.counts_as,
    }
    basis = _basis(question, None)
    if not is_answered(value):
        why = "réponse « je ne sais pas »" if value == DONT_KNOW else "pas de réponse"
        return Finding(
            **common,
            title=question.finding_title or question.text,
            status=Status.INDETERMINATE,
            severity=severity,
            summary=f"Ce point n'a pas pu être évalué ({why}) : il ne compte pas dans la note.",
            evidence=[Evidence(label="Question", value=question.text)],
            remediation=(
                "Répondez à cette question pour qu'elle soit évaluée ; au besoin, renseignez-vous "
                "auprès de votre secrétariat, de votre éditeur de logiciel ou de votre prestataire "
                "informatique."
            ),
            references=catalog.resolve(question.reference_slugs, question.id),
            **basis,
            error=ErrorInfo(
                reason="unanswered",
                message=f"Question sans réponse ({why}) : « {question.text} »",
            ),
        )
    answer = format_answer(question, value)
    evidence = [
        Evidence(label="Question", value=question.text),
        Evidence(label="Réponse", value=answer),
    ]
    given = f"Réponse donnée : « {answer} »."
    for rule in question.scoring:
        if matches(rule.when_answer, question, value):
            return Finding(
                **common,
                title=rule.title,
                status=Status.FAIL,
                severity=rule.severity,
                summary=f"{rule.summary} {given}" if rule.summary else given,
                evidence=evidence,
                remediation=rule.remediation,
                references=catalog.resolve(rule.references, question.id),
                **_basis(question, rule),
            )
    outcome = question.pass_
    title = outcome.title if outcome else question.finding_title or question.text
    summary = outcome.summary if outcome and outcome.summary else None
    return Finding(
        **common,
        title=title,
        status=Status.PASS,
        severity=severity,
        summary=f"{summary} {given}" if summary else given,
        evidence=evidence,
        remediation=NO_ACTION,
        references=catalog.resolve(question.reference_slugs, question.id),
        **basis,
    )


def _basis(question: Question, rule: ScoringRule | None) -> dict[str, object]:
    """`basis` and resolved `basis_reference` of a finding: the rule's, else the question's."""
    kind = (rule.basis if rule else None) or question.basis
    slug = (rule.basis_reference if rule else None) or question.basis_reference
    reference = references().resolve([slug], question.id)[0] if slug else None
    return {"basis": kind, "basis_reference": reference}
