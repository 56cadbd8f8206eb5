"""register.* judged from constructed facts (no register file)."""

import pytest
from pydantic import ValidationError

from rgpd_audit.checks.register import (
    CellProblem,
    RegisterFacts,
    RegisterRowFacts,
    RetentionCategory,
    RetentionFacts,
    judge_retention,
    judge_rule,
)
from rgpd_audit.models import Status
from rgpd_audit.register import rules

FILE = RegisterFacts(provided=True, file="registre.xlsx", activities=6)
BASIS = CellProblem(
    column="legal_basis",
    column_label="colonne « Base légale » (E)",
    value=None,
    message="base légale non renseignée",
)


def row(name: str | None = "Gestion des rendez-vous", **fields: object) -> RegisterRowFacts:
    values: dict[str, object] = {
        "rule": rules.LEGAL_BASIS,
        "file": "registre.xlsx",
        "sheet": "Registre",
        "row": 3,
        "name": name,
        "problems": [BASIS],
    }
    return RegisterRowFacts.model_validate({**values, **fields})


@pytest.mark.parametrize("rule", rules.RULES)
def test_without_a_register_every_rule_is_not_applicable(rule: str) -> None:
    [result] = judge_rule(rule, RegisterFacts(provided=False), [], "ok")
    assert result.status is Status.NOT_APPLICABLE and result.subject is None


@pytest.mark.parametrize("rule", rules.RULES)
def test_an_empty_register_fails_article_30_only(rule: str) -> None:
    empty = FILE.model_copy(update={"activities": 0})
    [result] = judge_rule(rule, empty, [], "ok")
    expected = Status.FAIL if rule == rules.ART30 else Status.NOT_APPLICABLE
    assert (result.status, result.subject) == (expected, "registre.xlsx")


def test_one_failure_per_activity_naming_sheet_row_and_column() -> None:
    other = row("Dossiers médicaux des patients", row=2)
    results = judge_rule(rules.LEGAL_BASIS, FILE, [other, row()], "ok")
    assert [r.status for r in results] == [Status.FAIL, Status.FAIL]
    failed = results[1]
    assert failed.subject == "Gestion des rendez-vous (feuille « Registre », ligne 3)"
    [shown] = failed.evidence
    assert shown.label == "feuille « Registre », ligne 3, colonne « Base légale » (E)"
    assert shown.value == "(vide)"
    assert failed.facts == row()


def test_every_cell_at_fault_is_one_piece_of_evidence() -> None:
    dpia = CellProblem(
        column="dpia", column_label="colonne « AIPD » (P)", value="à faire", message="à réaliser"
    )
    [result] = judge_rule(rules.DPIA, FILE, [row(problems=[BASIS, dpia], sheet=None)], "ok")
    assert [e.value for e in result.evidence] == ["(vide)", "à faire"]
    assert result.evidence[1].label == "ligne 3, colonne « AIPD » (P)"


def test_a_nameless_activity_is_named_by_its_place() -> None:
    for blank in (None, "à compléter"):
        [result] = judge_rule(rules.LEGAL_BASIS, FILE, [row(blank)], "ok")
        assert result.subject == (
            "traitement sans nom (feuille « Registre », ligne 3) (feuille « Registre », ligne 3)"
        )


def test_no_activity_at_fault_passes_with_the_count() -> None:
    [result] = judge_rule(rules.PROCESSORS, FILE, [], "chaque sous-traitant a un contrat")
    assert (result.status, result.subject) == (Status.PASS, "registre.xlsx")
    assert result.summary.startswith("6 traitement(s) vérifié(s)")


def test_a_row_needs_a_problem() -> None:
    with pytest.raises(ValidationError):
        row(problems=[])


def retention(*labels: str, provided: bool = True) -> RetentionFacts:
    return RetentionFacts(
        provided=provided,
        file="registre.xlsx" if provided else None,
        activities=6 if provided else 0,
        categories=[RetentionCategory(code=f"c{i}", label=label) for i, label in enumerate(labels)],
    )


def test_retention_without_a_known_category_is_not_applicable() -> None:
    [result] = judge_retention(retention(), [])
    assert result.status is Status.NOT_APPLICABLE and result.subject is None
    [absent] = judge_retention(retention(provided=False), [])
    assert absent.status is Status.NOT_APPLICABLE


def test_retention_names_each_category_checked_once() -> None:
    [result] = judge_retention(retention("Dossier patient", "Dossier patient", "Traces"), [])
    assert result.status is Status.PASS
    assert result.summary.endswith("(« Dossier patient », « Traces »).")
    assert isinstance(result.facts, RetentionFacts)


def test_retention_out_of_the_recommendation_fails_on_its_row() -> None:
    period = CellProblem(
        column="retention",
        column_label="colonne « Durée de conservation » (M)",
        value="30 ans",
        message="plus long que recommandé",
    )
    at_fault = row("Dossiers médicaux", rule=rules.RETENTION, row=2, problems=[period])
    [result] = judge_retention(retention("Dossier patient"), [at_fault])
    assert result.status is Status.FAIL
    assert result.evidence[0].value == "30 ans"


def test_facts_survive_audit_json() -> None:
    assert RegisterRowFacts.model_validate_json(row().model_dump_json()) == row()
