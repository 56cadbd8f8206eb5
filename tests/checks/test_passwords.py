"""The password checks through the real registry, engine and answers loader."""

from pathlib import Path

import pytest

from rgpd_audit import registry
from rgpd_audit.checks.passwords import PasswordPolicyFacts, PasswordTestFacts
from rgpd_audit.config import RunConfig
from rgpd_audit.errors import ContentError
from rgpd_audit.models import Finding, Status, Target
from rgpd_audit.password.strength import assess
from rgpd_audit.password.text import answers_block
from rgpd_audit.questionnaire import load_answers, load_questionnaire
from rgpd_audit.runner import QuestionnaireInput, run_audit

EXAMPLE = Path(__file__).parents[2] / "questionnaires" / "exemple-reponses.yaml"


def audit(answers_path: Path | None) -> dict[str, list[Finding]]:
    specs = registry.select(registry.discover(), ["auth.password.*"], [])
    questionnaire = None
    if answers_path is not None:
        found = load_questionnaire()
        questionnaire = QuestionnaireInput(found, load_answers(answers_path, found))
    result = run_audit(Target(domain="cabinet-exemple.fr"), RunConfig(), specs, questionnaire)
    by_id: dict[str, list[Finding]] = {}
    for finding in result.findings:
        if finding.source == "check":
            by_id.setdefault(finding.check_id, []).append(finding)
    return by_id


def test_without_answers_both_checks_are_not_applicable() -> None:
    findings = audit(None)
    assert [f.status for f in findings["auth.password.policy"]] == [Status.NOT_APPLICABLE]
    assert [f.status for f in findings["auth.password.strength"]] == [Status.NOT_APPLICABLE]


def test_example_practice_policy_misses_the_lockout_threshold(tmp_path: Path) -> None:
    # The example answers: 8 characters, letters and digits, account blocked after failures.
    (policy,) = audit(EXAMPLE)["auth.password.policy"]
    assert policy.status is Status.FAIL
    assert policy.category == "acces"
    assert policy.facts_kind == "password.policy"
    facts = PasswordPolicyFacts.model_validate(policy.facts)
    assert (facts.min_length, facts.required_classes, facts.lockout) == (
        8,
        ["minuscules", "majuscules", "chiffres"],
        "blocage",
    )
    # The exact gap is the point of the finding: 47,6 bits where case n° 2 asks for 50.
    assert "47,6 bits" in policy.summary and "cas n° 2" in policy.summary
    assert "50 bits suffisent" in policy.remediation
    assert any("2022-100" in r.label for r in policy.references)


def test_tested_passwords_become_one_finding_each(tmp_path: Path) -> None:
    tests = [
        assess("Doudou2024!", label="Messagerie"),
        assess("xK9#mQ2vL!pZ", label="Logiciel métier"),
        assess("Villefranche2020!", label="Session", user_inputs=["villefranche"]),
    ]
    path = tmp_path / "reponses.yaml"
    path.write_text(EXAMPLE.read_text(encoding="utf-8") + answers_block(tests), encoding="utf-8")
    findings = {f.subject: f for f in audit(path)["auth.password.strength"]}
    assert findings["Messagerie"].status is Status.FAIL
    assert findings["Logiciel métier"].status is Status.PASS
    assert findings["Session"].status is Status.FAIL
    session = PasswordTestFacts.model_validate(findings["Session"].facts)
    assert session.practice_word
    assert not PasswordTestFacts.model_validate(findings["Messagerie"].facts).practice_word
    assert "nom du cabinet, de la ville" in findings["Session"].remediation
    assert "Doudou" not in path.read_text(encoding="utf-8")
    assert not any(
        "Doudou" in str(f.facts) or "guesses" in (f.facts or {}) for f in findings.values()
    )


def test_answers_loader_names_a_bad_result_line(tmp_path: Path) -> None:
    bad = answers_block([assess("azerty", label="Messagerie")]).replace("score: 0", "score: 9")
    path = tmp_path / "reponses.yaml"
    path.write_text(EXAMPLE.read_text(encoding="utf-8") + bad, encoding="utf-8")
    with pytest.raises(ContentError, match=r"ligne \d+, champ password_tests\[0\]\.score"):
        load_answers(path, load_questionnaire())


def test_answers_loader_refuses_unknown_fields(tmp_path: Path) -> None:
    path = tmp_path / "reponses.yaml"
    extra = "password_tests:\n- label: Messagerie\n  password: secret\n"
    path.write_text(EXAMPLE.read_text(encoding="utf-8") + extra, encoding="utf-8")
    with pytest.raises(ContentError, match="password_tests"):
        load_answers(path, load_questionnaire())
