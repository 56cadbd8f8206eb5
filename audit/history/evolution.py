"""The report's « Évolution depuis le dernier audit », built from the recorded history."""

from __future__ import annotations

from rgpd_audit.history.diff import changes, point
from rgpd_audit.history.store import HistoryStore
from rgpd_audit.models import AuditResult, Evolution

#: Audits shown on the trend chart (the latest ones): a decade of yearly self-checks.
TREND_POINTS = 10


def evolution_for(store: HistoryStore, result: AuditResult) -> Evolution | None:
    """`result` against the practice's latest audit recorded before it; None for a first."""
    earlier = [
        entry for entry in store.entries(result.target.domain) if entry.date < result.started_at
    ]
    if not earlier:
        return None
    previous = store.load(earlier[-1].id)
    if previous is None:  # purged between the two queries
        return None
    trend = [entry.point() for entry in earlier[-(TREND_POINTS - 1) :]]
    return Evolution(
        previous=earlier[-1].point(),
        trend=[*trend, point(result)],
        changes=changes(previous, result),
    )
