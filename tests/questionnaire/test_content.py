"""The shipped questionnaire and example answers: valid, cited, and a realistic mix."""

from collections import Counter
from importlib.resources import files

import pytest

from rgpd_audit import catalog
from rgpd_audit.models import Reference, Status
from rgpd_audit.questionnaire import (
    QuestionType,
    evaluate,
    load_example_answers,
    load_questionnaire,
)
from rgpd_audit.questionnaire.loader import parse_questionnaire

QUESTIONNAIRE = load_questionnaire()
QUESTIONS = QUESTIONNAIRE.questions()
SCORED = [q for q in QUESTIONS if q.scored]


def test_sante_loads_and_is_cached() -> None:
    assert QUESTIONNAIRE.id == "sante"
    assert load_questionnaire("sante") is QUESTIONNAIRE
    assert set(QUESTIONNAIRE.profiles) == {
        "medecin",
        "paramedical",
        "cabinet-groupe",
        "telesecretariat",
    }


def test_sections_follow_the_interview_order() -> None:
    assert [s.id for s in QUESTIONNAIRE.sections] == [
        "cabinet",
        "gouvernance",
        "droits",
        "communication",
        "acces",
        "postes",
        "sous_traitance",
        "telesecretariat",
        "incidents",
    ]
    for section in QUESTIONNAIRE.sections:
        assert all(q.id.startswith(f"q.{section.id}.") for q in section.questions), section.id


def test_communication_section_keeps_the_ids_used_by_answers_files() -> None:
    section = next(s for s in QUESTIONNAIRE.sections if s.id == "communication")
    assert section.title == "Communication avec les patients et les confrères"
    ids = {q.id for q in section.questions}
    assert {
        "q.communication.messagerie_cabinet",
        "q.communication.boite_perso_usage_pro",
        "q.communication.mssante_compte",
        "q.communication.mssante_usage",
        "q.communication.pj_patients",
        "q.communication.pj_confreres",
        "q.communication.mms_photos",
        "q.communication.sms_usage",
        "q.communication.messagerie_instantanee",
        "q.communication.messagerie_instantanee_contenu",
        "q.communication.mention_urgence",
        "q.communication.verification_identite",
        "q.communication.cadre_patients",
    } <= ids
    assert any(q.when for q in section.questions), "la section doit comporter des branchements"


def test_shipped_file_revalidates_from_its_source() -> None:
    text = (files("rgpd_audit.questionnaires") / "sante.yaml").read_text(encoding="utf-8")
    assert parse_questionnaire(text, "sante.yaml") == QUESTIONNAIRE


@pytest.mark.parametrize("question", SCORED, ids=lambda q: q.id)
def test_every_rule_cites_known_references_and_says_what_to_do(question) -> None:
    assert question.finding_title
    for rule in question.scoring:
        refs = catalog.references().resolve(rule.references, question.id)
        assert refs and all(isinstance(r, Reference) for r in refs)
        assert len(rule.remediation) > 80, f"{question.id} : remédiation trop vague"


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.id)
def test_every_question_explains_why_it_matters(question) -> None:
    assert len(question.help) > 30
    if question.type.has_choices:
        assert all(choice.label for choice in question.choices)


def test_mssante_is_recommended_never_said_mandatory() -> None:
    for question in QUESTIONS:
        texts = [question.text, question.help] + [
            part for rule in question.scoring for part in (rule.summary or "", rule.remediation)
        ]
        for text in texts:
            lowered = text.lower()
            if "mssanté" in lowered and "obligatoire" in lowered:
                # Only the ANS wording is allowed: MSSanté optional, securing exchanges required.
                assert "n'est pas obligatoire" in lowered or "sécurisation" in lowered, text


def test_question_types_used_by_the_questionnaire() -> None:
    kinds = {q.type for q in QUESTIONS}
    assert {
        QuestionType.YES_NO,
        QuestionType.SINGLE_CHOICE,
        QuestionType.MULTI_CHOICE,
        QuestionType.NUMBER,
        QuestionType.TEXT,
    } <= kinds


def test_example_answers_evaluate_to_a_mix() -> None:
    answers = load_example_answers(QUESTIONNAIRE)
    assert answers.meta.practice_name == "Cabinet du Dr Exemple"
    assert answers.meta.profile == "medecin"
    findings = evaluate(QUESTIONNAIRE, answers)
    statuses = Counter(f.status for f in findings)
    assert statuses[Status.PASS] >= 2
    assert statuses[Status.FAIL] >= 2
    assert statuses[Status.INDETERMINATE] >= 1
    assert all(f.source == "questionnaire" for f in findings)
    assert {f.check_id for f in findings} <= {q.id for q in SCORED}
    categories = set(catalog.scoring_table().categories)
    assert {f.category for f in findings} <= categories
