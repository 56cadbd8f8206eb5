"""The verdict in words, as the console's last line says it and `--fail-under` judges it.

The report's cover shows the same `Verdict` fields with the same wording (report templates):
one verdict, one count, wherever the client reads it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rgpd_audit.catalog import scoring_table
from rgpd_audit.models import Verdict


def _points(count: int) -> str:
    return f"{count} point{'s' if count > 1 else ''} non conforme{'s' if count > 1 else ''}"


def headline(verdict: Verdict) -> str:
    """The console's last line, e.g. « Conformité C — 2 obligations non respectées · sécurité
    78/100 · 12 points non conformes. »"""
    if verdict.scope == "technique":
        conformity = "Conformité non évaluée (audit technique, sans questionnaire)"
    elif verdict.grade is None:
        conformity = "Conformité non évaluée (aucune obligation n'a pu être évaluée)"
    else:
        unmet = verdict.unmet_obligations
        plural = "s" if unmet > 1 else ""
        obligations = (
            "toutes les obligations évaluées respectées"
            if unmet == 0
            else f"{unmet} obligation{plural} non respectée{plural}"
        )
        conformity = f"Conformité {verdict.grade} — {obligations}"
    security = (
        f"sécurité {verdict.security_score}/100"
        if verdict.security_score is not None
        else "sécurité non évaluée"
    )
    return f"{conformity} · {security} · {_points(verdict.failed_controls)}."


@dataclass(frozen=True)
class Threshold:
    """`--fail-under`: a conformity letter (`C`) or a security score out of 100 (`80`)."""

    grade: str | None = None
    score: int | None = None

    def missed_by(self, verdict: Verdict) -> str | None:
        """Why `verdict` falls below the threshold (a French line), or None when it does not."""
        if self.grade is not None:
            if verdict.grade is None:
                return "Conformité non évaluée : seuil --fail-under non atteint."
            letters = [step.grade for step in scoring_table().grades]
            if letters.index(verdict.grade) > letters.index(self.grade):
                return f"Conformité {verdict.grade} en dessous du seuil {self.grade}."
            return None
        if verdict.security_score is None:
            return "Aucune note de sécurité n'a pu être calculée : seuil --fail-under non atteint."
        if self.score is not None and verdict.security_score < self.score:
            return f"Note de sécurité {verdict.security_score} inférieure au seuil {self.score}."
        return None
