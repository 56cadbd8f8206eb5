"""One audit from start to finish: checks, questionnaire answers, scores, data dates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rgpd_audit import __version__, catalog, clock, registry
from rgpd_audit.config import RunConfig
from rgpd_audit.context import CheckContext
from rgpd_audit.engine import Observer, run_checks
from rgpd_audit.hds import store as hds_store
from rgpd_audit.models import AuditResult, Target
from rgpd_audit.net.sharing import SharedNetwork
from rgpd_audit.net.trust_anchor import root_anchors_snapshot
from rgpd_audit.questionnaire import (
    Answers,
    Questionnaire,
    answer_lines,
    evaluate,
    load_questionnaire,
)
from rgpd_audit.records.dmarc_receivers import receivers
from rgpd_audit.register import content as register_content
from rgpd_audit.registry import CheckSpec
from rgpd_audit.scoring import score, verdict


@dataclass(frozen=True)
class QuestionnaireInput:
    """A questionnaire and the answers given to it."""

    questionnaire: Questionnaire
    answers: Answers


def plan(config: RunConfig) -> list[CheckSpec]:
    """The checks `config` selects (`--only`, `--skip`); raises `InputError` on a bad selector."""
    return registry.select(registry.discover(), config.only, config.skip)


def run_audit(
    target: Target,
    config: RunConfig,
    specs: Sequence[CheckSpec],
    questionnaire: QuestionnaireInput | None = None,
    observer: Observer | None = None,
    shared: SharedNetwork | None = None,
) -> AuditResult:
    """Run `specs`, evaluate the answers and score everything.

    `shared` (a batch) lends its probe results, DNS answers and paces to this audit.

    When Ctrl-C stops the checks, the result is returned with `complete=False` and the
    checks that did not finish marked indeterminate, so that it can still be saved.
    """
    result = AuditResult(
        tool_version=__version__,
        target=target,
        started_at=clock.now(),
        data_snapshots=[
            catalog.snapshot_of("Références réglementaires", catalog.references().snapshot),
            catalog.snapshot_of("Fournisseurs de messagerie", catalog.providers().snapshot),
            catalog.snapshot_of("Sélecteurs DKIM essayés", catalog.dkim_selectors().snapshot),
            catalog.snapshot_of(
                "Serveurs IMAP, POP et de soumission des fournisseurs",
                catalog.client_hosts().snapshot,
            ),
            catalog.snapshot_of("Destinataires de rapports DMARC", receivers().snapshot),
            catalog.snapshot_of("Ancres de confiance DNSSEC de la racine", root_anchors_snapshot()),
            hds_store.report_snapshot(),
            catalog.snapshot_of(
                "Durées de conservation de référence (registre)",
                register_content.retention_rules().snapshot,
            ),
        ],
    )
    if target.profile:
        result.profile_label = load_questionnaire().profiles.get(target.profile)
    if questionnaire:
        found = questionnaire.questionnaire
        result.questionnaire = f"{found.id} {found.version}"
        result.answers = dict(questionnaire.answers.values)
        result.answer_lines = answer_lines(found, questionnaire.answers, target.profile)
        result.findings.extend(evaluate(found, questionnaire.answers, target.profile))
    answers = questionnaire.answers.values if questionnaire else None
    tests = questionnaire.answers.password_tests if questionnaire else ()
    run = run_checks(CheckContext(target, config, answers, tests, shared), specs, observer)
    result.findings.extend(run.findings)
    result.complete = not run.interrupted
    result.scores = score(result.findings)
    result.verdict = verdict(result.findings, answered=questionnaire is not None)
    result.finished_at = clock.now()
    return result
