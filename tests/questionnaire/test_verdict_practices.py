"""The headline follows legal exposure (issue « verdict »), judged on the shipped content.

Each practice is the well-kept practice of `data/answers-bien-tenu.yaml` with a few answers
changed, audited like the CLI does (`run_audit`) against a mail domain of the lab: the verdict
comes from the shipped questionnaire, check metadata and scoring table, nothing hand-made.
"""

from pathlib import Path

import pytest
import yaml

from rgpd_audit.lab import Lab
from rgpd_audit.models import Target, Verdict
from rgpd_audit.questionnaire import load_answers, load_questionnaire
from rgpd_audit.questionnaire.conditions import walk
from rgpd_audit.runner import QuestionnaireInput, plan, run_audit

WELL_KEPT = Path(__file__).parent / "data" / "answers-bien-tenu.yaml"
LETTERS = "ABCDEF"

CONSUMER_MAILBOX = {"q.communication.messagerie_cabinet": "webmail_grand_public"}
HEALTH_DOCUMENTS_BY_MAIL = {
    "q.communication.pj_patients": "souvent",
    "q.communication.pj_confreres": "souvent",
}
NO_REGISTER = {"q.gouvernance.registre": "absent"}
NO_PATIENT_INFORMATION = {"q.droits.information_patients": "aucune"}
PASSWORD_ONLY = {"q.acces.mode_connexion": "mot_de_passe"}
WHATSAPP_HEALTH_DATA = {
    "q.communication.messagerie_instantanee": "oui",
    "q.communication.messagerie_instantanee_contenu": ["sante_patients", "documents"],
}


def _audit(lab: Lab, tmp_path: Path, domain: str, changes: dict | None) -> Verdict:
    config = lab.run_config(timeout=2.0, deadline=60.0)
    questionnaire = None
    if changes is not None:
        found = load_questionnaire()
        values = yaml.safe_load(WELL_KEPT.read_text("utf-8")) | changes
        # Answers that the changes make moot (their `when` no longer holds) are left out.
        asked = {v.question.id for v in walk(found, values, values["meta"]["profile"]) if v.visible}
        kept = {k: v for k, v in values.items() if k == "meta" or k in asked}
        answers_file = tmp_path / "reponses.yaml"
        answers_file.write_text(yaml.safe_dump(kept, allow_unicode=True), "utf-8")
        questionnaire = QuestionnaireInput(found, load_answers(answers_file, found, None))
    result = run_audit(Target(domain=domain), config, plan(config), questionnaire)
    assert result.verdict is not None
    return result.verdict


def _at_most(grade: str | None, worst_allowed: str) -> bool:
    return grade is not None and LETTERS.index(grade) >= LETTERS.index(worst_allowed)


@pytest.mark.parametrize(
    "changes",
    [
        CONSUMER_MAILBOX,
        {**CONSUMER_MAILBOX, **HEALTH_DOCUMENTS_BY_MAIL},
        {
            **CONSUMER_MAILBOX,
            **HEALTH_DOCUMENTS_BY_MAIL,
            **NO_REGISTER,
            **NO_PATIENT_INFORMATION,
            **PASSWORD_ONLY,
        },
    ],
    ids=["gmail", "gmail+pieces-jointes", "gmail+sans-registre"],
)
def test_a_consumer_mailbox_holding_health_data_is_d_or_below(
    lab: Lab, tmp_path: Path, changes: dict
) -> None:
    verdict = _audit(lab, tmp_path, "cabinet-conforme.fr", changes)
    assert _at_most(verdict.grade, "D"), verdict
    assert verdict.unmet_obligations >= 1


def test_health_data_on_whatsapp_is_d_or_below(lab: Lab, tmp_path: Path) -> None:
    verdict = _audit(lab, tmp_path, "cabinet-conforme.fr", WHATSAPP_HEALTH_DATA)
    assert _at_most(verdict.grade, "D"), verdict


def test_no_register_is_c_or_below(lab: Lab, tmp_path: Path) -> None:
    verdict = _audit(lab, tmp_path, "cabinet-conforme.fr", NO_REGISTER)
    assert _at_most(verdict.grade, "C"), verdict


def test_a_well_kept_practice_with_weak_dns_hygiene_is_b_or_better(
    lab: Lab, tmp_path: Path
) -> None:
    # DMARC p=none, no DANE, no MTA-STS, no DNSSEC, no TLS-RPT: recommendations only.
    weak_dns = _audit(lab, tmp_path, "dmarc-surveillance.labo-rgpd.fr", {})
    assert weak_dns.grade is not None and LETTERS.index(weak_dns.grade) <= LETTERS.index("B")
    perfect_dns = _audit(lab, tmp_path, "cabinet-conforme.fr", {})
    # The DNS moves the security score, never the conformity letter.
    assert weak_dns.grade == perfect_dns.grade
    assert weak_dns.security_score is not None and perfect_dns.security_score is not None
    assert weak_dns.security_score < perfect_dns.security_score


def test_technical_checks_alone_give_no_letter(lab: Lab, tmp_path: Path) -> None:
    verdict = _audit(lab, tmp_path, "cabinet-conforme.fr", None)
    assert verdict.grade is None and verdict.scope == "technique"
    assert verdict.security_score == 100
