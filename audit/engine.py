"""Runs the selected checks concurrently against one target.

Checks are network-bound and blocking (dnspython, smtplib, requests), hence a thread pool.
A check that raises or overruns the deadline becomes an `indeterminate` finding with the
reason; one bad check never aborts the audit, and Ctrl-C keeps what was already found.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from rgpd_audit import catalog
from rgpd_audit.concurrency import get_interruptibly, start_workers
from rgpd_audit.context import CheckContext
from rgpd_audit.errors import CheckError, ContentError
from rgpd_audit.models import (
    CheckMeta,
    CheckResult,
    ErrorInfo,
    ErrorReason,
    Finding,
    Reference,
    Status,
)
from rgpd_audit.registry import CheckSpec, fact_types


class Observer(Protocol):
    """Receives progress events (the CLI shows them with rich)."""

    def on_start(self, total: int) -> None:
        """Called once with the number of checks about to run."""

    def on_check_done(self, meta: CheckMeta, findings: Sequence[Finding]) -> None:
        """Called as each check ends (or is given up at the deadline or on Ctrl-C)."""


@dataclass
class EngineRun:
    """Findings of one run; `interrupted` is True when Ctrl-C stopped it."""

    findings: list[Finding] = field(default_factory=list)
    interrupted: bool = False


def run_checks(
    ctx: CheckContext, specs: Sequence[CheckSpec], observer: Observer | None = None
) -> EngineRun:
    """Run `specs` against `ctx.target` within `ctx.config.deadline` seconds."""
    run = EngineRun()
    if observer:
        observer.on_start(len(specs))
    todo: queue.SimpleQueue[CheckSpec] = queue.SimpleQueue()
    for spec in specs:
        todo.put(spec)
    # Workers store their findings themselves: a Ctrl-C landing in the main thread at any
    # moment cannot lose a finished check.
    finished: dict[str, list[Finding]] = {}
    lock = threading.Lock()
    arrivals: queue.SimpleQueue[str] = queue.SimpleQueue()

    def work() -> None:
        while True:
            try:
                spec = todo.get_nowait()
            except queue.Empty:
                return
            findings = _run_one(spec, ctx)
            with lock:
                finished[spec.meta.id] = findings
            arrivals.put(spec.meta.id)

    start_workers(min(ctx.config.max_workers, len(specs)), work, "check")
    by_id = {spec.meta.id: spec for spec in specs}
    reported: set[str] = set()
    deadline = time.monotonic() + ctx.config.deadline
    reason: ErrorReason = "timeout"
    message = (
        f"contrôle interrompu : durée maximale de l'audit ({ctx.config.deadline:.0f} s) atteinte"
    )
    try:
        while len(reported) < len(specs):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                check_id = get_interruptibly(arrivals, remaining)
            except queue.Empty:
                break
            reported.add(check_id)
            if observer:
                observer.on_check_done(by_id[check_id].meta, finished[check_id])
    except KeyboardInterrupt:
        run.interrupted = True
        reason, message = "interrupted", "contrôle interrompu par l'utilisateur (Ctrl-C)"
    with lock:
        outcome = dict(finished)
    for spec in specs:
        findings = outcome.get(spec.meta.id)
        if findings is None:
            findings = [_indeterminate(spec.meta, ErrorInfo(reason=reason, message=message))]
        if observer and spec.meta.id not in reported:
            observer.on_check_done(spec.meta, findings)
        run.findings.extend(findings)
    return run


def _run_one(spec: CheckSpec, ctx: CheckContext) -> list[Finding]:
    started = time.monotonic()
    meta = spec.meta
    try:
        func = spec.load()
        results = func(ctx)
        if not results or not all(isinstance(r, CheckResult) for r in results):
            raise TypeError("le contrôle doit renvoyer une liste non vide de CheckResult")
        _check_fact_types(results, fact_types(func))
        findings = [to_finding(meta, result, ctx.target.domain) for result in results]
    except CheckError as exc:
        findings = [_indeterminate(meta, ErrorInfo(reason=exc.reason, message=exc.message))]
    except Exception as exc:
        # A bug in one check must not cost the practice its whole audit.
        message = f"erreur interne du contrôle : {type(exc).__name__}: {exc}"
        findings = [_indeterminate(meta, ErrorInfo(reason="bug", message=message))]
    elapsed = int((time.monotonic() - started) * 1000)
    for finding in findings:
        finding.duration_ms = elapsed
    return findings


def _check_fact_types(results: Sequence[CheckResult], allowed: tuple[type, ...]) -> None:
    # The published schema of a check's facts is what @check declared: a result carrying
    # another kind would put undocumented data in audit.json.
    for result in results:
        if result.facts is not None and not isinstance(result.facts, allowed):
            raise TypeError(
                f"faits de type {type(result.facts).__name__} non déclarés dans @check(facts=…)"
            )


#: Placeholders a remediation text may use for the audited domain, so that the record to
#: publish reads as it must be pasted (« v=DMARC1; p=reject; rua=mailto:dmarc@cabinet.fr »).
DOMAIN_PLACEHOLDERS = ("<domaine>", "<votre-domaine>")


def to_finding(meta: CheckMeta, result: CheckResult, domain: str | None = None) -> Finding:
    """Merge a check's result with its metadata; `<domaine>` in the remediation becomes `domain`."""
    remediation = _remediation(meta, result)
    if domain:
        for placeholder in DOMAIN_PLACEHOLDERS:
            remediation = remediation.replace(placeholder, domain)
    return Finding(
        check_id=meta.id,
        title=meta.title,
        status=result.status,
        severity=result.severity or meta.severity,
        check_severity=meta.severity,
        category=meta.category,
        subject=result.subject,
        summary=result.summary,
        evidence=result.evidence,
        remediation=remediation,
        references=catalog.references().resolve(meta.references, f"contrôle {meta.id}"),
        basis=meta.basis,
        basis_reference=_basis_reference(meta),
        counts_as=meta.counts_as,
        error=result.error,
        facts_kind=result.facts.kind if result.facts is not None else None,
        facts=result.facts.model_dump(mode="json") if result.facts is not None else None,
    )


def _basis_reference(meta: CheckMeta) -> Reference | None:
    if meta.basis_reference is None:
        return None
    (resolved,) = catalog.references().resolve([meta.basis_reference], f"contrôle {meta.id}")
    return resolved


def _remediation(meta: CheckMeta, result: CheckResult) -> str:
    if result.remediation_key is None:
        return meta.remediation
    if result.remediation_key not in meta.remediation_variants:
        raise ContentError(
            f"contrôle {meta.id} : remediation_variants sans entrée « {result.remediation_key} »"
        )
    return meta.remediation_variants[result.remediation_key]


def _indeterminate(meta: CheckMeta, error: ErrorInfo) -> Finding:
    return to_finding(
        meta,
        CheckResult(
            status=Status.INDETERMINATE, summary=f"Non évalué : {error.message}", error=error
        ),
    )
