"""One audit from start to finish: checks, questionnaire answers, scores, data dates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rgpd_audit import __version__, clock, datafiles, registry
from rgpd_audit.config import RunConfig
from rgpd_audit.context import CheckContext
from rgpd_audit.engine import Observer, run_checks
from rgpd_audit.models import AuditResult, Target
from rgpd_audit.net.sharing import SharedNetwork
from rgpd_audit.questionnaire import (
    Answers,
    Questionnaire,
    answer_lines,
    evaluate,
    load_questionnaire,
)
from rgpd_audit.registry import CheckSpec
from rgpd_audit.scoring import score, verdict


@dataclass(frozen=True)
class QuestionnaireInput:
    """A questionnaire and the answers given to it."""

    questionnaire: Questionnaire
    answers: Answers


def plan(config: RunConfig) -> list[CheckSpec]:
    """The checks `config` selects (`--only`, `--skip`); raises `InputError` on a bad selector.

    The data files the report dates are read here too: one that does not validate (a
    plugin's) is refused before the audit, not after minutes of network work.
    """
    specs = registry.select(registry.discover(), config.only, config.skip)
    datafiles.report_snapshots()
    return specs


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
        # Before the checks, so that a Ctrl-C during them still leaves a dated result. Every
        # file the report dates is registered by then: its module is declared in the
        # `rgpd_audit.datafiles` entry-point group, imported by `plan`.
        data_snapshots=datafiles.report_snapshots(),
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
