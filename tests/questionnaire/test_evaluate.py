"""Evaluation: pass / fail / indeterminate findings, hidden questions, weights."""

import pytest

from rgpd_audit.models import Reference, Severity, Status
from rgpd_audit.questionnaire import Answers, evaluate, load_answers


def _findings(write, mini, text: str, profile: str | None = None) -> dict:
    answers = load_answers(write("a.yaml", text), mini, profile)
    return {f.check_id: f for f in evaluate(mini, answers, profile)}


def test_failing_rule_gives_its_finding(write, mini) -> None:
    finding = _findings(write, mini, "q.s.canal: mail\n")["q.s.canal"]
    assert finding.status is Status.FAIL
    assert finding.source == "questionnaire"
    assert finding.severity is Severity.HIGH
    assert finding.title == "Comptes rendus par e-mail ordinaire"
    assert finding.category == "communication"
    assert finding.remediation == "Utilisez MSSanté."
    # The answer is quoted with its label, not its stored value.
    assert finding.summary == "Canal non sécurisé. Réponse donnée : « E-mail ordinaire »."
    assert all(isinstance(r, Reference) for r in finding.references)
    assert len(finding.references) == 2
    assert finding.error is None


def test_no_rule_matching_gives_a_pass_with_the_highest_severity(write, mini) -> None:
    finding = _findings(write, mini, "q.s.canal: mss\nq.s.patients: 12\n")["q.s.patients"]
    assert finding.status is Status.PASS
    assert finding.title == "Volume de patients"
    assert finding.severity is Severity.CRITICAL
    assert finding.check_severity is Severity.CRITICAL
    assert "« 12 »" in finding.summary


def test_first_matching_rule_wins_and_keeps_the_question_weight(write, mini) -> None:
    finding = _findings(write, mini, "q.s.patients: 6000\n")["q.s.patients"]
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.LOW)
    assert finding.check_severity is Severity.CRITICAL
    finding = _findings(write, mini, "q.s.patients: 20000\n")["q.s.patients"]
    assert finding.title == "Beaucoup de patients"


def test_pass_block_overrides_the_title(write, mini) -> None:
    finding = _findings(write, mini, "q.t.identite: oui\n")["q.t.identite"]
    assert finding.status is Status.PASS
    assert finding.title == "Identité des appelants vérifiée"
    assert finding.summary.startswith("Bonne pratique en place. Réponse donnée : « Oui »")


@pytest.mark.parametrize("text", ["q.s.canal: je ne sais pas\n", "q.s.messagerie: non\n"])
def test_dont_know_or_missing_is_indeterminate(write, mini, text: str) -> None:
    finding = _findings(write, mini, text)["q.s.canal"]
    assert finding.status is Status.INDETERMINATE
    assert finding.severity is Severity.HIGH
    assert finding.error is not None
    assert finding.error.reason == "unanswered"
    assert finding.error.message.startswith("Question sans réponse")
    assert finding.title == "Canal des comptes rendus"


def test_multi_choice_contains(write, mini) -> None:
    text = "q.s.messagerie: oui\nq.s.contenu: [logistique, sante]\n"
    finding = _findings(write, mini, text)["q.s.contenu"]
    assert finding.status is Status.FAIL
    assert "Logistique ; Données de santé" in finding.summary
    text = "q.s.messagerie: oui\nq.s.contenu: [logistique]\n"
    assert _findings(write, mini, text)["q.s.contenu"].status is Status.PASS


def test_questions_hidden_by_when_produce_nothing(write, mini) -> None:
    findings = _findings(write, mini, "q.s.messagerie: non\n")
    assert "q.s.contenu" not in findings
    findings = _findings(write, mini, "q.s.messagerie: oui\n")
    assert findings["q.s.contenu"].status is Status.INDETERMINATE


def test_unscored_questions_produce_nothing(write, mini) -> None:
    findings = _findings(write, mini, "q.s.messagerie: oui\nq.s.depuis: 2020-01-01\n")
    assert "q.s.messagerie" not in findings and "q.s.depuis" not in findings


def test_profile_hides_sections_and_questions(write, mini) -> None:
    medecin = _findings(write, mini, "q.s.canal: mss\n", "medecin")
    assert "q.t.identite" not in medecin and "q.s.patients" in medecin
    secretariat = _findings(write, mini, "q.s.canal: mss\n", "telesecretariat")
    assert "q.t.identite" in secretariat and "q.s.patients" not in secretariat
    everyone = _findings(write, mini, "q.s.canal: mss\n")
    assert {"q.t.identite", "q.s.patients"} <= set(everyone)


def test_profile_defaults_to_meta(write, mini) -> None:
    findings = _findings(write, mini, "meta:\n  profile: medecin\nq.s.canal: mss\n")
    assert "q.t.identite" not in findings


def test_programmatic_answers(mini) -> None:
    answers = Answers(values={"q.s.canal": "mail"})
    findings = evaluate(mini, answers, "medecin")
    assert [f.check_id for f in findings] == ["q.s.canal", "q.s.patients"]
    assert findings[0].status is Status.FAIL


def test_programmatic_answers_are_normalised_before_matching(mini) -> None:
    answers = Answers(values={"q.t.identite": "non", "q.s.messagerie": True})
    findings = {f.check_id: f for f in evaluate(mini, answers)}
    assert findings["q.t.identite"].status is Status.FAIL
    assert "« Non »" in findings["q.t.identite"].summary
    assert "q.s.contenu" in findings, "True vaut oui pour la condition de q.s.contenu"


def test_answer_lines_word_the_answers_for_the_report() -> None:
    from rgpd_audit.questionnaire import answer_lines, load_example_answers, load_questionnaire

    questionnaire = load_questionnaire()
    lines = answer_lines(questionnaire, load_example_answers(questionnaire))
    by_id = {line.question_id: line for line in lines}
    assert by_id["q.communication.mssante_compte"].answer in ("Oui", "Non")
    assert by_id["q.communication.messagerie_cabinet"].answer.startswith("Une adresse sur le nom")
    assert all(line.question and line.section for line in lines)
    asked_order = [q.id for s in questionnaire.sections for q in s.questions]
    assert [line.question_id for line in lines] == [i for i in asked_order if i in by_id]
