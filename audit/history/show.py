"""The history and a diff as French text for the terminal (`--format text`)."""

from __future__ import annotations

from collections.abc import Sequence

from rgpd_audit.dates import format_date_fr
from rgpd_audit.history.diff import AuditDiff
from rgpd_audit.history.store import HistoryEntry
from rgpd_audit.models import FindingRef, Severity, TrendPoint

_SEVERITY = {
    Severity.CRITICAL: "critique",
    Severity.HIGH: "élevée",
    Severity.MEDIUM: "moyenne",
    Severity.LOW: "faible",
    Severity.INFO: "information",
}


def _grade(point: TrendPoint) -> str:
    return point.grade or "non évaluée"


def _security(point: TrendPoint) -> str:
    return f"{point.security_score}/100" if point.security_score is not None else "non évaluée"


def render_entries(entries: Sequence[HistoryEntry], domain: str | None) -> str:
    """One line per recorded audit: number, date, verdict, scores and counts."""
    if not entries:
        return (
            f"Aucun audit enregistré pour {domain}."
            if domain
            else "Aucun audit enregistré dans l'historique."
        )
    head = ["n°", "date", "domaine", "conformité", "sécurité", "oblig. non resp.", "non conf."]
    rows = [
        [
            str(entry.id),
            format_date_fr(entry.date),
            entry.domain,
            _grade(entry.point()),
            _security(entry.point()),
            str(entry.unmet_obligations),
            str(entry.failed_controls),
        ]
        for entry in entries
    ]
    if domain:
        # One practice: its name is the title, the domain column would repeat it.
        head.pop(2)
        for row in rows:
            row.pop(2)
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [head, *rows]
    ]
    if domain:
        name = entries[-1].practice_name
        title = f"Historique de {domain}" + (f" — {name}" if name else "")
        lines.insert(0, title)
    lines.append(f"{len(entries)} audit(s).")
    return "\n".join(line.rstrip() for line in lines)


def _ref_line(ref: FindingRef) -> str:
    subject = f" ({ref.subject})" if ref.subject else ""
    return f"  - [{_SEVERITY[ref.severity]}] {ref.title}{subject}"


def render_diff(diff: AuditDiff, old_label: str, new_label: str) -> str:
    """The verdict change, then corrected, new, persisting and unverified findings."""
    old, new = diff.old, diff.new
    domains = (
        diff.new_domain
        if diff.old_domain == diff.new_domain
        else f"{diff.old_domain} → {diff.new_domain}"
    )
    lines = [
        f"Comparaison ({domains}) : {old_label} du {format_date_fr(old.date)} → "
        f"{new_label} du {format_date_fr(new.date)}",
        f"Conformité : {_grade(old)} → {_grade(new)}",
        f"Sécurité et bonnes pratiques : {_security(old)} → {_security(new)}",
        f"Obligations non respectées : {old.unmet_obligations} → {new.unmet_obligations} ; "
        f"points non conformes : {old.failed_controls} → {new.failed_controls}",
    ]
    sections = (
        ("Corrigés", diff.changes.resolved),
        ("Nouveaux", diff.changes.new),
        ("Toujours non conformes", diff.changes.persisting),
        ("Non vérifiés cette fois (non conformes auparavant)", diff.changes.unverified),
    )
    for title, refs in sections:
        lines.append("")
        lines.append(f"{title} : {len(refs)}")
        lines.extend(_ref_line(ref) for ref in refs)
    return "\n".join(lines)
