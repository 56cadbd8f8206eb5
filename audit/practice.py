"""The audit of one practice, start to finish: the unit of work of `run`, `demo` and `batch`.

`process_practice` loads the practice's files, runs the audit, writes its reports and
records it in the history, and says how it went in a `PracticeOutcome`. It takes and returns
plain data (a `PracticeJob` of paths and settings, a pydantic outcome), so that a Dask
worker can run it as well as a thread of the local batch or `run` itself; the caller
decides what an outcome means (an exit code for `run`, a line of the summary for `batch`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from rgpd_audit import clock
from rgpd_audit.concurrency import import_modules
from rgpd_audit.config import RunConfig
from rgpd_audit.models import AuditResult, Consultant, Severity, Status, Target, Verdict

if TYPE_CHECKING:
    from rgpd_audit.engine import Observer
    from rgpd_audit.history.location import HistoryLocation
    from rgpd_audit.history.store import HistoryStore
    from rgpd_audit.net.sharing import SharedNetwork
    from rgpd_audit.render import WrittenFile
    from rgpd_audit.runner import QuestionnaireInput

#: Why a practice has no usable audit: its own files (`entree`), its domain or its servers
#: (`reseau`), the output folder (`ecriture`), Ctrl-C (`interrompu`) or a bug (`interne`).
FailureKind = Literal["entree", "reseau", "ecriture", "interrompu", "interne"]
#: Most non-compliant findings an outcome names (the portfolio counts the most frequent).
MAX_OUTCOME_FINDINGS = 100


@dataclass(frozen=True)
class PracticeJob:
    """Everything one practice's audit needs, as plain picklable data."""

    target: Target
    config: RunConfig
    output_dir: Path
    formats: tuple[str, ...] = ("pdf", "html", "json")
    answers_file: Path | None = None
    #: Where the audit is recorded; None: not recorded (--no-history).
    history: HistoryLocation | None = None
    #: Line of the client list this practice comes from (batch only), for messages.
    line: int | None = None
    #: Check the domain exists before auditing it (a batch does; `run` checked it already).
    check_domain: bool = False
    #: How much evidence the report prints: complet, compact or aucune.
    annexes: str = "compact"
    #: Who signs the report (the consultant's configuration), if anyone.
    consultant: Consultant | None = None


class DeliveredFile(BaseModel):
    """A file written for the client, with its SHA-256 (printed as proof of delivery)."""

    format: str
    path: str
    sha256: str

    @classmethod
    def of(cls, written: WrittenFile) -> DeliveredFile:
        """From the renderer's own record of a written file."""
        return cls(format=written.format.value, path=str(written.path), sha256=written.sha256)


class FailedFinding(BaseModel):
    """A non-compliant point, as the portfolio counts them across practices."""

    control: str
    title: str
    severity: Severity


class PracticeOutcome(BaseModel):
    """How one practice's audit went: what the summary and the portfolio report need."""

    domain: str
    practice_name: str | None = None
    line: int | None = None
    ok: bool = Field(description="Audit concluded, files written (history: see history_error)")
    failure: str | None = Field(None, description="Why not, in French")
    failure_kind: FailureKind | None = None
    output_dir: str
    files: list[DeliveredFile] = Field(default_factory=list)
    verdict: Verdict | None = None
    complete: bool = True
    nothing_evaluated: bool = False
    audit_id: int | None = None
    history_error: str | None = None
    failed_by_severity: dict[str, int] = Field(default_factory=dict)
    failed: list[FailedFinding] = Field(default_factory=list)
    first_action: str | None = None
    previous_grade: str | None = None
    previous_security_score: int | None = None
    previous_date: datetime | None = None
    finished_at: datetime
    seconds: float = 0.0


class ReportInterrupted(KeyboardInterrupt):
    """Ctrl-C while the reports were written: only audit.json was saved."""


def process_practice(
    job: PracticeJob,
    *,
    questionnaire: QuestionnaireInput | None = None,
    shared: SharedNetwork | None = None,
    observer: Observer | None = None,
    on_step: Callable[[str], None] | None = None,
) -> PracticeOutcome:
    """Audit `job`'s practice, write its reports, record it; never raises for its inputs.

    `questionnaire`, when given, was already loaded (and maybe interviewed) by the caller;
    otherwise `job.answers_file` is read here, and a bad file is this practice's failure.
    Ctrl-C during the checks gives an incomplete outcome; during the reports,
    `ReportInterrupted` once audit.json is saved.
    """
    started = time.monotonic()

    def failed(kind: FailureKind, message: str) -> PracticeOutcome:
        return _outcome(job, started, failure=message, kind=kind)

    _import_audit_modules(job)
    from rgpd_audit.errors import InputError, NetworkUnusable

    try:
        if questionnaire is None and job.answers_file is not None:
            questionnaire = load_answers(job.answers_file, job.target.profile)
        _check_practice_files(job.config)
        target = _with_answers_meta(job.target, questionnaire)
        if job.check_domain:
            _domain_exists(target.domain, job.config, shared)
    except InputError as exc:
        return failed("entree", str(exc))
    except NetworkUnusable as exc:
        return failed("reseau", str(exc))
    except OSError as exc:
        from rgpd_audit.paths import os_error_text

        where = f"{exc.filename} : " if exc.filename else ""
        return failed("entree", f"{where}{os_error_text(exc)}")

    from rgpd_audit.runner import plan, run_audit

    try:
        specs = plan(job.config)
    except InputError as exc:
        return failed("entree", str(exc))
    result = run_audit(target, job.config, specs, questionnaire, observer, shared)
    return _deliver(job, result, started, on_step)


def _import_audit_modules(job: PracticeJob) -> None:
    # What the audit imports on its way (lazily elsewhere, for a fast --help), loaded before
    # it starts and under the import lock: several practices of a batch or of a Dask worker
    # start together, and importing on threads at once can fail (see import_modules). The
    # checks are loaded by the engine, under the same lock.
    names = [
        "rgpd_audit.errors",
        "rgpd_audit.paths",
        "rgpd_audit.questionnaire",
        "rgpd_audit.hds.inventory",
        "rgpd_audit.register",
        "rgpd_audit.net.dns",
        "rgpd_audit.runner",
        "rgpd_audit.render",
        "rgpd_audit.render.html",
    ]
    if job.history is not None:
        names += ["rgpd_audit.history.store", "rgpd_audit.history.evolution"]
    import_modules(*names)


def _deliver(
    job: PracticeJob,
    result: AuditResult,
    started: float,
    on_step: Callable[[str], None] | None,
) -> PracticeOutcome:
    """Write the reports and record the history (read first: the report shows the evolution)."""
    from rgpd_audit.paths import os_error_text
    from rgpd_audit.render import Annexes, Format, write_reports

    blind = nothing_evaluated(result)
    store: HistoryStore | None = None
    history_error = None
    # Only a finished audit that concluded something is history (an interrupted or blind one
    # would show as a collapse, then a recovery, in next year's evolution).
    if job.history is not None and result.complete and not blind:
        store, history_error = _open_history(job.history, result)
    chosen = [Format(f) for f in job.formats]
    try:
        # write_reports writes audit.json first, so a slow PDF never puts the results at risk.
        written = write_reports(
            result,
            job.output_dir,
            chosen,
            on_step,
            annexes=Annexes(job.annexes),
            consultant=job.consultant,
        )
    except KeyboardInterrupt:
        write_reports(result, job.output_dir, [Format.JSON], consultant=job.consultant)
        raise ReportInterrupted from None
    except OSError as exc:
        return _outcome(
            job,
            started,
            result,
            failure=f"impossible d'écrire dans {job.output_dir} : {os_error_text(exc)}",
            kind="ecriture",
        )
    audit_id = None
    if store is not None:
        from rgpd_audit.history.errors import HistoryUnavailable

        try:
            audit_id = store.record(result)
        except HistoryUnavailable as exc:
            history_error = str(exc)
    files = [DeliveredFile.of(item) for item in written]
    if not result.complete:
        return _outcome(job, started, result, files, failure="audit interrompu", kind="interrompu")
    if blind:
        return _outcome(
            job,
            started,
            result,
            files,
            failure="aucun contrôle n'a pu être évalué (résolveur DNS ou serveurs du domaine "
            "injoignables)",
            kind="reseau",
        )
    outcome = _outcome(job, started, result, files)
    outcome.audit_id, outcome.history_error = audit_id, history_error
    return outcome


def _open_history(
    location: HistoryLocation, result: AuditResult
) -> tuple[HistoryStore | None, str | None]:
    from rgpd_audit.history.errors import HistoryUnavailable
    from rgpd_audit.history.evolution import evolution_for
    from rgpd_audit.history.store import HistoryStore

    try:
        store = HistoryStore.open(location)
        result.evolution = evolution_for(store, result)
    except HistoryUnavailable as exc:
        return None, str(exc)
    return store, None


def _outcome(
    job: PracticeJob,
    started: float,
    result: AuditResult | None = None,
    files: list[DeliveredFile] | None = None,
    *,
    failure: str | None = None,
    kind: FailureKind | None = None,
) -> PracticeOutcome:
    outcome = PracticeOutcome(
        domain=job.target.domain,
        practice_name=(result.target if result else job.target).practice_name,
        line=job.line,
        ok=failure is None,
        failure=failure,
        failure_kind=kind,
        output_dir=str(job.output_dir),
        files=files or [],
        finished_at=clock.now(),
        seconds=round(time.monotonic() - started, 3),
    )
    if result is None:
        return outcome
    outcome.verdict = result.verdict
    outcome.complete = result.complete
    outcome.nothing_evaluated = nothing_evaluated(result)
    from rgpd_audit.render.html import first_sentence, sort_findings

    # A failed « info » rule is advice, not a non-compliance (see `scoring`): the counts
    # here add up to the verdict's `failed_controls`.
    failed = [
        f
        for f in sort_findings(result.findings)
        if f.status is Status.FAIL and f.severity is not Severity.INFO
    ]
    by_control: dict[str, FailedFinding] = {}
    for finding in failed:
        by_control.setdefault(
            finding.control,
            FailedFinding(control=finding.control, title=finding.title, severity=finding.severity),
        )
    outcome.failed = list(by_control.values())[:MAX_OUTCOME_FINDINGS]
    counts: dict[str, int] = {}
    for item in by_control.values():
        counts[item.severity.value] = counts.get(item.severity.value, 0) + 1
    outcome.failed_by_severity = counts
    if failed:
        outcome.first_action = first_sentence(f"{failed[0].title} : {failed[0].remediation}")
    if result.evolution is not None:
        previous = result.evolution.previous
        outcome.previous_grade = previous.grade
        outcome.previous_security_score = previous.security_score
        outcome.previous_date = previous.date
    return outcome


def failed_outcome(job: PracticeJob, message: str, kind: FailureKind) -> PracticeOutcome:
    """The outcome of a practice whose audit could not even run (a bug, a lost worker)."""
    return _outcome(job, time.monotonic(), failure=message, kind=kind)


def nothing_evaluated(result: AuditResult) -> bool:
    """True when no control passed or failed and some could not be evaluated.

    Such an audit concludes nothing (all « sans objet » alone is a real, if empty, answer).
    """
    statuses = {finding.status for finding in result.findings}
    return Status.INDETERMINATE in statuses and not statuses & {Status.PASS, Status.FAIL}


def load_answers(path: Path, profile: str | None) -> QuestionnaireInput:
    """The questionnaire and `path`'s answers to it; `InputError` with line and field."""
    from rgpd_audit.questionnaire import load_answers as load
    from rgpd_audit.questionnaire import load_questionnaire
    from rgpd_audit.runner import QuestionnaireInput

    questionnaire = load_questionnaire()
    return QuestionnaireInput(questionnaire, load(path, questionnaire, profile))


def _check_practice_files(config: RunConfig) -> None:
    """Read the register and inventory once up front: a bad file is an input error, not a
    check left « non évalué »."""
    from rgpd_audit.paths import input_file

    if config.inventory_file:
        from rgpd_audit.hds.inventory import load_inventory

        load_inventory(input_file(config.inventory_file, "--inventory"))
    if config.register_file:
        from rgpd_audit.register import load_register

        load_register(input_file(config.register_file, "--register"))


def _with_answers_meta(target: Target, questionnaire: QuestionnaireInput | None) -> Target:
    """The practice's name and profile from the answers' `meta` when the caller gave none."""
    if questionnaire is None:
        return target
    meta = questionnaire.answers.meta
    update = {}
    if not target.practice_name and getattr(meta, "practice_name", None):
        update["practice_name"] = str(meta.practice_name)
    if not target.profile and getattr(meta, "profile", None):
        update["profile"] = str(meta.profile)
    return target.model_copy(update=update) if update else target


def _domain_exists(domain: str, config: RunConfig, shared: SharedNetwork | None) -> None:
    """`InputError` when the domain is absent from DNS (a typo in the client list)."""
    from rgpd_audit.errors import CheckError, InputError
    from rgpd_audit.net.dns import build_resolver, lookup
    from rgpd_audit.net.sharing import resolver_key

    if shared is not None:
        # One more query to the batch's resolver: it waits its turn like the checks' ones.
        shared.before_dns_query(resolver_key(config.nameservers))
    try:
        records = lookup(build_resolver(config.nameservers, config.timeout), domain, "SOA")
    except CheckError:
        return  # The domain's own servers fail: the checks report it as « non évalué ».
    if records is None:
        raise InputError(f"le domaine {domain} n'existe pas dans le DNS (faute de frappe ?)")
