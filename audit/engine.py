"""Runs the selected checks concurrently against one target.

Checks are network-bound and blocking (dnspython, smtplib, requests), hence a thread pool.
A check that raises or overruns the deadline becomes an `indeterminate` finding with the
reason; one bad check never aborts the audit, and Ctrl-C keeps what was already found.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Protocol

from rgpd_audit import catalog
from rgpd_audit.context import CheckContext
from rgpd_audit.errors import CheckError
from rgpd_audit.models import CheckMeta, CheckResult, ErrorInfo, Finding, Status
from rgpd_audit.registry import CheckSpec


class Observer(Protocol):
    """Receives progress events (the CLI shows them with rich)."""

    def on_start(self, total: int) -> None: ...

    def on_check_done(self, meta: CheckMeta, findings: Sequence[Finding]) -> None: ...


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
    pool = ThreadPoolExecutor(max_workers=ctx.config.max_workers, thread_name_prefix="check")
    started = time.monotonic()
    pending: dict[Future[list[Finding]], CheckSpec] = {
        pool.submit(_run_one, spec, ctx): spec for spec in specs
    }
    try:
        while pending:
            remaining = ctx.config.deadline - (time.monotonic() - started)
            if remaining <= 0:
                break
            done, _ = wait(pending, timeout=remaining, return_when=FIRST_COMPLETED)
            for future in done:
                spec = pending.pop(future)
                findings = future.result()
                run.findings.extend(findings)
                if observer:
                    observer.on_check_done(spec.meta, findings)
        limit = ctx.config.deadline
        reason = "timeout"
        message = f"contrôle interrompu : durée maximale de l'audit ({limit:.0f} s) atteinte"
    except KeyboardInterrupt:
        run.interrupted = True
        reason, message = "interrupted", "contrôle interrompu par l'utilisateur (Ctrl-C)"
    finally:
        # Threads still blocked on a socket end on their own per-operation timeout.
        pool.shutdown(wait=False, cancel_futures=True)
    for spec in pending.values():
        finding = _indeterminate(spec.meta, ErrorInfo(reason=reason, message=message))
        run.findings.append(finding)
        if observer:
            observer.on_check_done(spec.meta, [finding])
    return run


def _run_one(spec: CheckSpec, ctx: CheckContext) -> list[Finding]:
    started = time.monotonic()
    meta = spec.meta
    try:
        results = spec.load()(ctx)
        if not results or not all(isinstance(r, CheckResult) for r in results):
            raise TypeError("le contrôle doit renvoyer une liste non vide de CheckResult")
        findings = [to_finding(meta, result) for result in results]
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


def to_finding(meta: CheckMeta, result: CheckResult) -> Finding:
    """Merge a check's result with its metadata."""
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
        remediation=result.remediation or meta.remediation,
        references=catalog.references().resolve(meta.references, f"contrôle {meta.id}"),
        error=result.error,
    )


def _indeterminate(meta: CheckMeta, error: ErrorInfo) -> Finding:
    return to_finding(
        meta,
        CheckResult(
            status=Status.INDETERMINATE, summary=f"Non évalué : {error.message}", error=error
        ),
    )
