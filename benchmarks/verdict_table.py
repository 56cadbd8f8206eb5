"""The issue's practice table, as the tool now judges it: conformity letter, unmet obligations,
security score and non-compliant points for each practice.

Each practice is the well-kept practice of tests/questionnaire/data/answers-bien-tenu.yaml with
some answers changed, audited as `run` does against the lab's fully configured mail domain; the
demo is the `demo` command's own audit. Nothing is hand-scored.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml

from rgpd_audit.lab import start_lab
from rgpd_audit.models import AuditResult, Target
from rgpd_audit.questionnaire import (
    Questionnaire,
    load_answers,
    load_example_answers,
    load_questionnaire,
)
from rgpd_audit.questionnaire.conditions import walk
from rgpd_audit.runner import QuestionnaireInput, plan, run_audit

ROOT = Path(__file__).resolve().parents[1]
WELL_KEPT = ROOT / "tests" / "questionnaire" / "data" / "answers-bien-tenu.yaml"

GMAIL = {"q.communication.messagerie_cabinet": "webmail_grand_public"}
DOCUMENTS = {"q.communication.pj_patients": "souvent", "q.communication.pj_confreres": "souvent"}
BASICS = {
    "q.gouvernance.registre": "absent",
    "q.droits.information_patients": "aucune",
    "q.acces.mode_connexion": "mot_de_passe",
}
WHATSAPP = {
    "q.communication.messagerie_instantanee": "oui",
    "q.communication.messagerie_instantanee_contenu": ["sante_patients", "documents"],
    "q.incidents.procedure": "aucune",
    "q.sous_traitance.contrats_art28": "aucun",
}
PRACTICES: list[tuple[str, dict | None]] = [
    ("cabinet bien tenu (référence)", {}),
    ("Gmail grand public comme boîte du cabinet", GMAIL),
    ("+ documents de santé envoyés par e-mail", {**GMAIL, **DOCUMENTS}),
    ("+ pas de registre, pas d'information, mot de passe seul", {**GMAIL, **DOCUMENTS, **BASICS}),
    (
        "+ WhatsApp, pas de procédure de violation, pas de contrats",
        {**GMAIL, **DOCUMENTS, **BASICS, **WHATSAPP},
    ),
    ("contrôles techniques seuls, sans questionnaire", None),
]


def practice_answers(questionnaire: Questionnaire, changes: dict) -> str:
    """The well-kept practice's answers with `changes`, minus the answers they make moot."""
    values = yaml.safe_load(WELL_KEPT.read_text("utf-8")) | changes
    profile = values["meta"]["profile"]
    asked = {v.question.id for v in walk(questionnaire, values, profile) if v.visible}
    kept = {k: v for k, v in values.items() if k == "meta" or k in asked}
    return yaml.safe_dump(kept, allow_unicode=True)


def _line(name: str, result: AuditResult) -> str:
    verdict = result.verdict
    assert verdict is not None
    return (
        f"| {name} | {verdict.grade or '—'} | {verdict.unmet_obligations} | "
        f"{verdict.security_score if verdict.security_score is not None else '—'} | "
        f"{verdict.failed_controls} |"
    )


def main() -> None:
    questionnaire = load_questionnaire()
    print("| cabinet | conformité | obligations non respectées | sécurité | points non conformes |")
    print("| --- | --- | --- | --- | --- |")
    with start_lab() as lab, tempfile.TemporaryDirectory() as tmp:
        config = lab.run_config(timeout=2.0, deadline=60.0)
        specs = plan(config)
        for name, changes in PRACTICES:
            answers = None
            if changes is not None:
                path = Path(tmp) / "reponses.yaml"
                path.write_text(practice_answers(questionnaire, changes), "utf-8")
                answers = QuestionnaireInput(questionnaire, load_answers(path, questionnaire, None))
            result = run_audit(Target(domain="cabinet-conforme.fr"), config, specs, answers)
            print(_line(name, result))
        demo = lab.scenarios["demo"]
        example = load_example_answers(questionnaire)
        with_register = lab.run_config(
            timeout=5.0,
            deadline=60.0,
            register_file=ROOT / "questionnaires" / "exemple-registre.yaml",
        )
        result = run_audit(
            Target(domain=demo.domain, profile=example.meta.profile),
            with_register,
            plan(with_register),
            QuestionnaireInput(questionnaire, example),
        )
        print(_line("la démonstration (rgpd-audit demo)", result))


if __name__ == "__main__":
    main()
