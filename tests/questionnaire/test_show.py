"""`questionnaire show`: every question described in words, conditions included."""

from pathlib import Path

import pytest

from rgpd_audit.questionnaire import load_questionnaire, load_questionnaire_file
from rgpd_audit.questionnaire.describe import describe_condition, question_views, render_text
from rgpd_audit.questionnaire.schema import Matcher

DATA = Path(__file__).parent / "data" / "entretien.yaml"


@pytest.fixture(scope="module")
def entretien():
    return load_questionnaire_file(DATA)


def test_views_of_a_profile(entretien) -> None:
    every = question_views(entretien)
    medecin = question_views(entretien, "medecin")
    assert len(every) == 9
    assert [v.id for v in medecin] == [v.id for v in every if v.section != "secretariat"]
    by_id = {v.id: v for v in every}
    contenu = by_id["q.canaux.whatsapp_contenu"]
    assert contenu.section_title == "Canaux de communication"
    assert contenu.type_label == "plusieurs choix"
    assert [(c.value, c.label) for c in contenu.choices] == [
        ("rdv", "Rendez-vous"),
        ("resultats", "Résultats d'examens"),
    ]
    assert contenu.condition == "q.canaux.whatsapp est « Oui »"
    assert [r.slug for r in contenu.references] == ["rgpd-art32"]
    assert contenu.references[0].label.startswith("RGPD art. 32")
    assert by_id["q.secretariat.identite"].condition == "profil Télésecrétariat"
    assert by_id["q.canaux.whatsapp"].condition is None
    assert not by_id["q.canaux.whatsapp"].scored


def test_text_rendering(entretien) -> None:
    text = render_text(entretien, question_views(entretien, "medecin"))
    assert text.startswith("Questionnaire d'essai (entretien 1.0) — 8 question(s)")
    assert "== Gouvernance [gouvernance] ==" in text
    assert "q.canaux.whatsapp_groupe — Avez-vous des groupes WhatsApp avec des patients ?" in text
    assert "  Posée si : q.canaux.whatsapp_contenu comprend « Rendez-vous »" in text
    assert "    ancien : Oui, mais ancien" in text
    assert "  Question de tri (pas de constat)" in text
    assert "q.secretariat" not in text


@pytest.mark.parametrize(
    ("question_id", "matcher", "words"),
    [
        ("q.canaux.whatsapp", "non", "q.canaux.whatsapp est « Non »"),
        (
            "q.gouvernance.registre",
            {"in": ["ancien", "non"]},
            "q.gouvernance.registre est « Oui, mais ancien » ou « Non »",
        ),
        (
            "q.gouvernance.registre",
            {"not_in": ["a_jour"]},
            "q.gouvernance.registre n'est pas « Oui, à jour »",
        ),
        (
            "q.canaux.whatsapp_contenu",
            {"contains_any": ["rdv", "resultats"]},
            "q.canaux.whatsapp_contenu comprend « Rendez-vous » ou « Résultats d'examens »",
        ),
        ("q.gouvernance.postes", {"gt": 3}, "q.gouvernance.postes est supérieur à « 3 »"),
        (
            "q.gouvernance.postes",
            {"lte": 2.5},
            "q.gouvernance.postes est inférieur ou égal à « 2,5 »",
        ),
        (
            "q.gouvernance.revue",
            {"lt": "2026-01-05"},
            "q.gouvernance.revue est avant le « 05/01/2026 »",
        ),
    ],
)
def test_conditions_in_words(entretien, question_id: str, matcher, words: str) -> None:
    condition = {question_id: Matcher.model_validate(matcher)}
    assert describe_condition(entretien, condition) == words


def test_two_conditions_are_joined(entretien) -> None:
    condition = {
        "q.canaux.whatsapp": Matcher.model_validate("oui"),
        "q.gouvernance.postes": Matcher.model_validate({"gte": 2}),
    }
    assert describe_condition(entretien, condition) == (
        "q.canaux.whatsapp est « Oui » et q.gouvernance.postes est supérieur ou égal à « 2 »"
    )


def test_shipped_questionnaire_is_fully_described() -> None:
    questionnaire = load_questionnaire()
    views = question_views(questionnaire)
    assert [v.id for v in views] == [q.id for q in questionnaire.questions()]
    for view, question in zip(views, questionnaire.questions(), strict=True):
        assert (view.condition is None) == (
            question.when is None
            and question.profiles is None
            and not _section_limited(questionnaire, question.id)
        )
        assert len(view.references) == len(question.reference_slugs)


def _section_limited(questionnaire, question_id: str) -> bool:
    section = next(
        s for s in questionnaire.sections if any(q.id == question_id for q in s.questions)
    )
    return section.when is not None or section.profiles is not None
