"""The health questionnaire's content as a whole: scoring of typical practices, interview
length per profile, branching, the data later checks rely on, and the coverage table."""

import fnmatch
import re
from importlib.resources import files
from pathlib import Path

import pytest

from rgpd_audit.models import Status
from rgpd_audit.questionnaire import (
    Answers,
    QuestionType,
    evaluate,
    load_answers,
    load_example_answers,
    load_questionnaire,
)
from rgpd_audit.questionnaire.conditions import walk
from rgpd_audit.scoring import score

DATA = Path(__file__).parent / "data"
COVERAGE = Path(__file__).parents[2] / "questionnaires" / "COVERAGE.md"
QUESTIONNAIRE = load_questionnaire()
SCORED = [q for q in QUESTIONNAIRE.questions() if q.scored]
# One typical answers file per profile: the interview each of them gets must stay 40–65 long
# (60 until the obligations of issue « verdict » — secret and sharing, cookies, DPIA of new
# tools, records at the end of practice — added up to four questions to a typical interview).
TYPICAL = {
    "medecin": None,  # the shipped example answers
    "cabinet-groupe": "answers-bien-tenu.yaml",
    "paramedical": "answers-negligent.yaml",
    "telesecretariat": "answers-telesecretariat.yaml",
}


def _answers(name: str | None) -> Answers:
    if name is None:
        return load_example_answers(QUESTIONNAIRE)
    return load_answers(DATA / name, QUESTIONNAIRE)


def _asked(answers: Answers) -> list[str]:
    return [
        v.question.id
        for v in walk(QUESTIONNAIRE, answers.values, answers.meta.profile)
        if v.visible
    ]


def _asked_with(values: dict, profile: str = "cabinet-groupe") -> list[str]:
    return [v.question.id for v in walk(QUESTIONNAIRE, values, profile) if v.visible]


def _questionnaire_grade(answers: Answers) -> str | None:
    return score(evaluate(QUESTIONNAIRE, answers)).overall.grade


@pytest.mark.parametrize(
    "name",
    sorted(
        r.name.removesuffix(".yaml")
        for r in files("rgpd_audit.questionnaires").iterdir()
        # Example files (answers, register) sit beside the questionnaires.
        if r.name.endswith(".yaml") and not r.name.startswith("exemple-")
    ),
)
def test_every_shipped_questionnaire_loads(name: str) -> None:
    questionnaire = load_questionnaire(name)
    assert questionnaire.id == name
    assert questionnaire.questions()


def test_health_questionnaire_size() -> None:
    assert 60 <= len(QUESTIONNAIRE.questions()) <= 100
    assert len(SCORED) >= 40


def test_well_run_practice_scores_a_or_b() -> None:
    answers = _answers("answers-bien-tenu.yaml")
    assert _questionnaire_grade(answers) in {"A", "B"}
    # Still a realistic practice: a few minor points remain.
    findings = evaluate(QUESTIONNAIRE, answers)
    assert any(f.status is Status.FAIL for f in findings)


def test_careless_practice_scores_e_or_f() -> None:
    answers = _answers("answers-negligent.yaml")
    assert _questionnaire_grade(answers) in {"E", "F"}
    failed = {f.check_id for f in evaluate(QUESTIONNAIRE, answers) if f.status is Status.FAIL}
    assert {
        "q.gouvernance.registre",
        "q.postes.sauvegarde_frequence",
        "q.sous_traitance.cloud_hds",
        "q.incidents.notification_cnil",
    } <= failed


def test_example_practice_is_in_between() -> None:
    assert _questionnaire_grade(_answers(None)) in {"B", "C", "D"}


@pytest.mark.parametrize(("profile", "name"), TYPICAL.items())
def test_typical_interview_asks_40_to_65_questions(profile: str, name: str | None) -> None:
    answers = _answers(name)
    assert answers.meta.profile == profile
    assert 40 <= len(_asked(answers)) <= 65


@pytest.mark.parametrize(("profile", "name"), TYPICAL.items())
def test_typical_answers_files_answer_what_is_asked(profile: str, name: str | None) -> None:
    answers = _answers(name)
    unanswered = [i for i in _asked(answers) if i not in answers.values]
    # The example deliberately leaves one question open, as a real draft would.
    assert len(unanswered) <= 1, unanswered


def test_threshold_questions_follow_the_cnil_2020_threshold() -> None:
    base = _answers("answers-bien-tenu.yaml").values
    assert {"q.gouvernance.dpo_obligatoire", "q.gouvernance.aipd"} <= set(_asked_with(base))
    small = base | {"q.cabinet.patients_par_an": 9000}
    assert "q.gouvernance.dpo_conseille" in _asked_with(small)
    assert not {"q.gouvernance.dpo_obligatoire", "q.gouvernance.aipd"} & set(_asked_with(small))
    solo = base | {"q.cabinet.structure": "individuel"}
    assert not any("dpo" in i or "aipd" in i for i in _asked_with(solo))


def test_branches_skip_what_does_not_apply() -> None:
    online = _asked(_answers("answers-bien-tenu.yaml"))
    assert "q.sous_traitance.editeur_hds" in online
    assert not any(i.startswith("q.postes.sauvegarde") for i in online)
    local = _asked(_answers("answers-negligent.yaml"))
    assert "q.postes.sauvegarde_frequence" in local
    assert "q.sous_traitance.editeur_hds" not in local
    # A Gmail address is judged once; the "personal mailbox" follow-up is not asked.
    assert "q.communication.boite_perso_usage_pro" not in local
    telesecretariat = _asked(_answers("answers-telesecretariat.yaml"))
    assert not any(i.startswith("q.droits.") for i in telesecretariat)
    assert "q.telesecretariat.alerte_clients" in telesecretariat
    assert "q.telesecretariat.alerte_clients" not in online


def test_password_lockout_is_asked_only_below_12_characters() -> None:
    values = _answers("answers-negligent.yaml").values
    short, long_enough = ({"q.acces.mdp_longueur": n} for n in (11, 12))
    assert "q.acces.mdp_blocage" in _asked_with(values | short, "paramedical")
    assert "q.acces.mdp_blocage" not in _asked_with(values | long_enough, "paramedical")


@pytest.mark.parametrize(
    ("question_id", "kind", "scored"),
    [
        # Context of the password check of a later issue.
        ("q.cabinet.ville", QuestionType.TEXT, False),
        ("q.cabinet.praticiens", QuestionType.TEXT, False),
        ("q.acces.mdp_longueur", QuestionType.NUMBER, True),
        ("q.acces.mdp_classes", QuestionType.MULTI_CHOICE, False),
        ("q.acces.mdp_blocage", QuestionType.SINGLE_CHOICE, True),
        ("q.acces.mode_connexion", QuestionType.SINGLE_CHOICE, True),
        # Provider names for the HDS list lookup of a later issue.
        ("q.sous_traitance.editeur_nom", QuestionType.TEXT, False),
        ("q.sous_traitance.telesecretariat_nom", QuestionType.TEXT, False),
        ("q.sous_traitance.cloud_nom", QuestionType.TEXT, False),
        ("q.sous_traitance.sauvegarde_nom", QuestionType.TEXT, False),
        ("q.sous_traitance.messagerie_nom", QuestionType.TEXT, False),
    ],
)
def test_structured_data_for_later_checks(
    question_id: str, kind: QuestionType, scored: bool
) -> None:
    question = QUESTIONNAIRE.question(question_id)
    assert question is not None
    assert (question.type, question.scored) == (kind, scored)


def test_character_classes_are_the_four_cnil_classes() -> None:
    question = QUESTIONNAIRE.question("q.acces.mdp_classes")
    assert [c.value for c in question.choices] == [
        "minuscules",
        "majuscules",
        "chiffres",
        "speciaux",
    ]


# Every figure stated in a scored question must come with the source it is taken from.
FIGURE_SOURCES = {
    "72 heures": "rgpd-art33",
    "10 000": "cnil-referentiel-cabinets-2020",
    "20 ans": "cnil-referentiel-cabinets-2020",
    "8 jours": "csp-l1111-7",
    "délai d'un mois": "rgpd-art12",
    "bits": "cnil-deliberation-2022-100",
    "6 mois": "cnil-recommandation-journalisation-2021",
    "3 mois": "css-r161-47",
}


@pytest.mark.parametrize("question", SCORED, ids=lambda q: q.id)
def test_figures_cite_their_source(question) -> None:
    texts = [question.text, question.help] + [
        part for rule in question.scoring for part in (rule.summary or "", rule.remediation)
    ]
    text = " ".join(texts).replace("\u00a0", " ")
    for figure, slug in FIGURE_SOURCES.items():
        if figure in text:
            assert slug in question.reference_slugs, f"{figure!r} sans {slug}"


@pytest.mark.parametrize("question", SCORED, ids=lambda q: q.id)
def test_blog_only_advice_is_never_scored_above_info(question) -> None:
    blogs = {"hellocare-communication-patients-2021", "hellocare-medecine-digitale-2022"}
    blogs.add("opus-numerica-email-2019")
    for rule in question.scoring:
        if set(rule.references) <= blogs:
            assert rule.severity.value == "info", rule.title


def test_forced_password_renewal_is_never_demanded() -> None:
    for question in QUESTIONNAIRE.questions():
        for rule in question.scoring:
            lowered = rule.remediation.lower()
            assert "tous les 90 jours" not in lowered
            if "périodique" in lowered:
                assert "n'est en revanche plus" in lowered, question.id


def _coverage_ids() -> set[str]:
    return set(re.findall(r"`(q\.[a-z0-9_.*]+)`", COVERAGE.read_text(encoding="utf-8")))


def test_every_question_cited_in_coverage_exists() -> None:
    known = [q.id for q in QUESTIONNAIRE.questions()]
    cited = _coverage_ids()
    assert len(cited) > 50
    for pattern in cited:
        assert fnmatch.filter(known, pattern), f"COVERAGE.md cite {pattern}, inconnue"


def test_every_scored_question_appears_in_coverage() -> None:
    exact = {c for c in _coverage_ids() if "*" not in c}
    missing = [q.id for q in SCORED if q.id not in exact]
    assert not missing, f"absentes de COVERAGE.md : {missing}"


def test_coverage_lists_all_66_seed_recommendations() -> None:
    text = COVERAGE.read_text(encoding="utf-8")
    numbers: set[int] = set()
    for first, last in re.findall(r"^\| (\d+)(?:–(\d+))? \|", text, flags=re.MULTILINE):
        numbers.update(range(int(first), int(last or first) + 1))
    assert numbers == set(range(1, 67))
