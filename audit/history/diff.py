"""Two audits of a practice compared: verdict change, and the fate of each failed finding.

A finding is followed from one audit to the next by its stable key: the control it counts as
(check or question id, `counts_as`) and its subject (an MX address, an account…). Findings
of one key are taken at their worst, as the verdict counts them. A failure that could not be
evaluated this time is « non vérifié », never « corrigé »; a failed « info » rule is advice,
not a non-compliance, and is left out as in the verdict.
"""

from __future__ import annotations

from pydantic import BaseModel

from rgpd_audit.models import (
    AuditResult,
    Finding,
    FindingChanges,
    FindingRef,
    Severity,
    Status,
    TrendPoint,
)

Key = tuple[str, str | None]


class AuditDiff(BaseModel):
    """What `rgpd-audit diff` prints: both verdicts and the changes between them."""

    old: TrendPoint
    new: TrendPoint
    old_domain: str
    new_domain: str
    changes: FindingChanges


def point(result: AuditResult) -> TrendPoint:
    """The verdict of `result` as one point of a trend."""
    verdict = result.verdict
    return TrendPoint(
        date=result.started_at,
        grade=verdict.grade if verdict else None,
        security_score=verdict.security_score if verdict else None,
        unmet_obligations=verdict.unmet_obligations if verdict else 0,
        failed_controls=verdict.failed_controls if verdict else 0,
    )


def compare(old: AuditResult, new: AuditResult) -> AuditDiff:
    """`new` against `old` (any order of dates is accepted: the caller chose)."""
    return AuditDiff(
        old=point(old),
        new=point(new),
        old_domain=old.target.domain,
        new_domain=new.target.domain,
        changes=changes(old, new),
    )


def changes(old: AuditResult, new: AuditResult) -> FindingChanges:
    """Resolved, new, persisting and unverified non-compliant findings from `old` to `new`."""
    before = _by_key(old.findings)
    after = _by_key(new.findings)
    result = FindingChanges()
    for key, finding in before.items():
        if not _failed(finding):
            continue
        now = after.get(key)
        if now is None or now.status is Status.INDETERMINATE:
            result.unverified.append(_ref(finding))
        elif _failed(now):
            result.persisting.append(_ref(now))
        else:
            result.resolved.append(_ref(finding))
    for key, finding in after.items():
        previous = before.get(key)
        if _failed(finding) and (previous is None or not _failed(previous)):
            result.new.append(_ref(finding))
    for group in (result.resolved, result.new, result.persisting, result.unverified):
        group.sort(key=lambda ref: (-ref.severity.rank, ref.title, ref.subject or ""))
    return result


def _failed(finding: Finding) -> bool:
    return finding.status is Status.FAIL and finding.severity is not Severity.INFO


_STATUS_RANK = {
    Status.FAIL: 3,
    Status.INDETERMINATE: 2,
    Status.PASS: 1,
    Status.NOT_APPLICABLE: 0,
}


def _worse(a: Finding, b: Finding) -> bool:
    """Whether `a` is a worse outcome than `b` for the same key."""
    return (_STATUS_RANK[a.status], a.severity.rank) > (_STATUS_RANK[b.status], b.severity.rank)


def _by_key(findings: list[Finding]) -> dict[Key, Finding]:
    worst: dict[Key, Finding] = {}
    for finding in findings:
        key = (finding.control, finding.subject)
        if key not in worst or _worse(finding, worst[key]):
            worst[key] = finding
    return worst


def _ref(finding: Finding) -> FindingRef:
    return FindingRef(
        control=finding.control,
        subject=finding.subject,
        title=finding.title,
        severity=finding.severity,
        basis=finding.basis,
    )
