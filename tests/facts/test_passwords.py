"""auth.password.* judged from constructed facts (no questionnaire, no interview)."""

import pytest
from pydantic import JsonValue

from rgpd_audit.checks.passwords import (
    PasswordPolicyFacts,
    PasswordTestFacts,
    PasswordTestsFacts,
    gather_policy,
    judge_no_test,
    judge_policy,
    judge_strength,
    strength_facts,
)
from rgpd_audit.config import RunConfig
from rgpd_audit.context import CheckContext
from rgpd_audit.models import Severity, Status, Target
from rgpd_audit.password.cnil import judge
from rgpd_audit.password.results import Assessment
from rgpd_audit.password.strength import assess

ALL4 = ["minuscules", "majuscules", "chiffres", "speciaux"]


def policy(**fields: object) -> PasswordPolicyFacts:
    values: dict[str, object] = {
        "questionnaire": True,
        "software": "en_ligne",
        "login_mode": "mot_de_passe",
        "min_length": 12,
        "required_classes": ALL4,
        "lockout": "aucun",
    }
    return PasswordPolicyFacts.model_validate({**values, **fields})


def test_no_questionnaire_no_policy_to_judge() -> None:
    result = judge_policy(PasswordPolicyFacts(questionnaire=False))
    assert result.status is Status.NOT_APPLICABLE and result.facts is not None


@pytest.mark.parametrize(
    "fields",
    [{"software": "sans_logiciel"}, {"login_mode": "cps"}, {"login_mode": "sans"}],
)
def test_no_password_policy_without_software_or_password(fields: dict[str, object]) -> None:
    assert judge_policy(policy(**fields)).status is Status.NOT_APPLICABLE


@pytest.mark.parametrize("missing", ["login_mode", "min_length", "required_classes"])
def test_unanswered_policy_is_indeterminate(missing: str) -> None:
    result = judge_policy(policy(**{missing: None}))
    assert result.status is Status.INDETERMINATE
    assert result.error is not None and result.error.reason == "unanswered"


def test_strong_policy_passes_and_keeps_its_facts() -> None:
    given = policy()
    result = judge_policy(given)
    assert result.status is Status.PASS and result.facts == given


def test_weak_policy_fails_on_its_case() -> None:
    result = judge_policy(policy(min_length=8, required_classes=["minuscules", "chiffres"]))
    assert (result.status, result.severity, result.remediation_key) == (Status.FAIL, None, "seul")
    limited = judge_policy(policy(min_length=8, required_classes=[], lockout="blocage"))
    assert (limited.status, limited.remediation_key) == (Status.FAIL, "essais_limites")


def test_second_factor_lowers_the_severity_of_a_weak_policy() -> None:
    result = judge_policy(policy(min_length=6, login_mode="deux_facteurs"))
    assert (result.status, result.severity) == (Status.FAIL, Severity.LOW)


def test_policy_facts_are_read_from_the_answers_with_their_types() -> None:
    answers: dict[str, JsonValue] = {
        "q.cabinet.logiciel_metier": "en_ligne",
        "q.acces.mode_connexion": "mot_de_passe",
        "q.acces.mdp_longueur": 8.0,
        "q.acces.mdp_classes": ["chiffres"],
        "q.acces.mdp_blocage": "blocage",
    }
    ctx = CheckContext(Target(domain="c.fr"), RunConfig(), answers=answers)
    facts = gather_policy(ctx)
    assert (facts.min_length, facts.required_classes, facts.lockout) == (8, ["chiffres"], "blocage")
    wrong = CheckContext(Target(domain="c.fr"), RunConfig(), answers={"q.acces.mdp_longueur": True})
    assert gather_policy(wrong).min_length is None


def figures(**fields: object) -> PasswordTestFacts:
    values: dict[str, object] = {
        "label": "Messagerie",
        "case": "seul",
        "case_number": 1,
        "case_label": "mot de passe seul",
        "required_bits": 80,
        "score": 4,
        "guesses_log2": 52.3,
        "cnil_bits": 81.2,
        "estimated_bits": 81,
        "reaches_required_bits": True,
        "predictable": False,
        "practice_word": False,
    }
    return PasswordTestFacts.model_validate({**values, **fields})


def test_no_test_is_not_applicable() -> None:
    result = judge_no_test(PasswordTestsFacts(tested=0))
    assert result.status is Status.NOT_APPLICABLE


def test_strong_password_passes_with_its_figures() -> None:
    result = judge_strength(figures(warning="attention", suggestions=["a", "b"]))
    assert (result.status, result.subject, result.remediation_key) == (
        Status.PASS,
        "Messagerie",
        None,
    )
    assert [(e.label, e.value) for e in result.evidence] == [
        ("Note zxcvbn (0 à 4)", 4),
        ("Essais estimés (log2)", "52,3"),
        ("Entropie retenue (bits)", "81,2"),
        ("Seuil CNIL, cas n° 1", 80),
        ("Avertissement", "attention"),
        ("Conseil", "a"),
        ("Conseil", "b"),
    ]


@pytest.mark.parametrize(
    "fields",
    [{"reaches_required_bits": False}, {"predictable": True}, {"practice_word": True}],
)
def test_any_weakness_fails(fields: dict[str, object]) -> None:
    result = judge_strength(figures(**fields))
    assert result.status is Status.FAIL
    assert result.remediation_key == ("cabinet" if fields.get("practice_word") else None)


def assessment(bits: float) -> Assessment:
    return assess("xK9#mQ2vL!pZ", label="Essai").model_copy(
        update={"cnil_bits": bits, "predictable": False, "practice_word": False}
    )


@pytest.mark.parametrize("bits", [49.45, 49.5, 78.5, 79.46, 79.5, 80.5, 0.0])
def test_rounding_at_the_threshold_is_the_cnil_s(bits: float) -> None:
    for case in ("seul", "essais_limites"):
        given = assessment(bits).model_copy(update={"case": case})
        verdict = judge(given)
        result = judge_strength(strength_facts(given))
        assert (result.status is Status.PASS) is verdict.compliant
        assert result.summary == verdict.summary


PASSWORDS = ["Doudou2024!", "xK9#mQ2vL!pZ", "Villefranche2020!", "azerty", "soleil", "0000"]


@pytest.mark.parametrize("password", PASSWORDS)
def test_words_are_those_of_the_password_command(password: str) -> None:
    # `rgpd-audit password` prints the analyser's verdict: the report says the same.
    given = assess(password, label="Essai", user_inputs=["villefranche"])
    assert judge_strength(strength_facts(given)).summary == judge(given).summary


@pytest.mark.parametrize("password", PASSWORDS)
def test_facts_reveal_no_more_than_the_report(password: str) -> None:
    given = assess(password, label="Essai", user_inputs=["villefranche"])
    facts = strength_facts(given).model_dump()
    assert "guesses" not in facts
    # One decimal, as the evidence shows them; never the exact number of guesses.
    assert facts["guesses_log2"] == round(given.guesses_log2, 1)
    assert facts["cnil_bits"] == round(given.cnil_bits, 1)
    assert password not in strength_facts(given).model_dump_json()
