"""The declared password policy against CNIL 2022-100: one row per situation."""

import pytest

from rgpd_audit.models import Severity, Status
from rgpd_audit.password.policy import evaluate_policy

ALL4 = ["minuscules", "majuscules", "chiffres", "speciaux"]
LETTERS_DIGITS = ["minuscules", "majuscules", "chiffres"]


def answers(length=None, classes=None, lockout=None, mode="mot_de_passe", software="local"):
    values = {"q.cabinet.logiciel_metier": software, "q.acces.mode_connexion": mode}
    for key, value in [
        ("q.acces.mdp_longueur", length),
        ("q.acces.mdp_classes", classes),
        ("q.acces.mdp_blocage", lockout),
    ]:
        if value is not None:
            values[key] = value
    return values


@pytest.mark.parametrize(
    ("length", "classes", "lockout", "status", "expected"),
    [
        # CNIL examples for a password alone (80 bits).
        (12, ALL4, None, Status.PASS, ["cas n° 1", "99 symboles", "79,6 bits"]),
        (14, LETTERS_DIGITS, None, Status.PASS, ["cas n° 1", "62 symboles", "83,4 bits"]),
        # With attempts limited, 50 bits (computed equivalents of the fact sheet).
        (8, ALL4, "temporisation", Status.PASS, ["cas n° 2", "53,0 bits"]),
        (9, LETTERS_DIGITS, "blocage", Status.PASS, ["cas n° 2", "53,6 bits"]),
        (
            8,
            LETTERS_DIGITS,
            "blocage",
            Status.FAIL,
            ["cas n° 2", "47,6 bits", "il manque 2,4 bits", "9 caractères minimum (au lieu de 8)"],
        ),
        (
            11,
            ALL4,
            "aucun",
            Status.FAIL,
            ["cas n° 1", "il faudrait 12 caractères", "que la politique actuelle atteint"],
        ),
        (
            10,
            ["minuscules"],
            "aucun",
            Status.FAIL,
            ["17 caractères minimum", "soit au moins 11 caractères", "phrase de passe"],
        ),
        # No required type: digits only are accepted, 10 symbols.
        (12, [], None, Status.FAIL, ["types imposés : aucun (10 symboles)", "39,9 bits"]),
        # Lockout unknown: judged as a password alone, and said so.
        (8, ALL4, "je_ne_sais_pas", Status.FAIL, ["n'est pas renseignée", "cas n° 1"]),
    ],
)
def test_policy_table(length, classes, lockout, status, expected) -> None:
    result = evaluate_policy(answers(length, classes, lockout))
    assert result.status is status, result.summary
    for text in expected:
        assert text in result.summary
    labels = {e.label: e.value for e in result.evidence}
    assert labels["Longueur minimale imposée"] == length
    if status is Status.FAIL:
        assert result.remediation_key in {"seul", "essais_limites"}


def test_renewal_is_never_asked_nor_penalised() -> None:
    result = evaluate_policy(answers(12, ALL4))
    assert result.status is Status.PASS
    assert "renouvel" not in result.summary.lower()


def test_second_factor_lowers_the_severity_of_a_weak_policy() -> None:
    result = evaluate_policy(answers(8, LETTERS_DIGITS, "blocage", mode="deux_facteurs"))
    assert result.status is Status.FAIL
    # Below the check's own (medium) severity: the second factor protects the account.
    assert result.severity is Severity.LOW
    assert {"label": "Second facteur", "value": "oui"} in [e.model_dump() for e in result.evidence]


@pytest.mark.parametrize(
    "values",
    [
        {},
        answers(software="sans_logiciel", mode=None),
        answers(mode="cps"),
        answers(mode="sans"),
    ],
    ids=["sans-questionnaire", "sans-logiciel", "cps", "sans-authentification"],
)
def test_not_applicable(values) -> None:
    assert evaluate_policy(values).status is Status.NOT_APPLICABLE


@pytest.mark.parametrize(
    "values",
    [
        answers(mode="je_ne_sais_pas"),
        answers(None, ALL4),
        answers("je_ne_sais_pas", ALL4),
        answers(12, "je_ne_sais_pas"),
    ],
    ids=["mode", "longueur-absente", "longueur-inconnue", "types-inconnus"],
)
def test_unanswered_is_indeterminate(values) -> None:
    result = evaluate_policy(values)
    assert result.status is Status.INDETERMINATE
    assert result.error is not None and result.error.reason == "unanswered"
