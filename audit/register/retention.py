"""Which part of a retention cell each reference rule judges, and whether it conforms.

A rule covers one category of data (patient record, FSE duplicates, access logs). It judges
the whole cell only when the activity is that category, else only the parts of the cell that
name it; an activity the rules do not cover gets no retention verdict at all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rgpd_audit.register.content import RetentionRule
from rgpd_audit.register.durations import candidate_totals, describe_months, durations_in_months

# « Factures : 6 ans ; doubles des FSE : 3 mois » states two categories, one per part.
_PARTS = re.compile(r"[;\n•]+")
_MONTH_TOLERANCE = 0.5


@dataclass(frozen=True)
class Scope:
    """The text of a retention cell that one rule judges."""

    rule: RetentionRule
    text: str


def parts_of(retention: str) -> list[str]:
    """The parts of a retention cell, each stating (at most) one category's duration."""
    return [part.strip() for part in _PARTS.split(retention) if part.strip()]


def scopes(
    rules: Sequence[RetentionRule], code: str | None, name: str | None, retention: str
) -> list[Scope]:
    """The rules that really cover this activity's retention cell, with the text each judges."""
    parts = parts_of(retention)
    found = []
    for rule in rules:
        if rule.is_activity(code, name):
            # A part naming another rule's category is that rule's to judge, not this one's.
            others = [other for other in rules if other is not rule]
            own = [p for p in parts if not any(other.is_mentioned(p) for other in others)]
            if own:
                found.append(Scope(rule, " ; ".join(own)))
            continue
        # Only a part that names the category and gives a duration says how long it is kept.
        named = [p for p in parts if rule.is_mentioned(p) and durations_in_months(p)]
        if named:
            found.append(Scope(rule, " ; ".join(named)))
    return found


def judge(scope: Scope) -> str | None:
    """None when the judged text states the recommended period, else the French finding."""
    rule, text = scope.rule, scope.text
    found = durations_in_months(text)
    if not found:
        return (
            f"durée non chiffrée (« {text} ») ; la CNIL recommande : {rule.recommendation} "
            f"({rule.source})"
        )
    if any(
        rule.min_months - _MONTH_TOLERANCE <= months <= rule.max_months + _MONTH_TOLERANCE
        for months in candidate_totals(found)
    ):
        return None
    stated = " + ".join(describe_months(m) for m in found)
    return (
        f"durée indiquée ({stated}) différente de la recommandation de la CNIL pour "
        f"« {rule.label} » : {rule.recommendation} ({rule.source}) ; un écart doit être "
        "justifié par la situation du cabinet"
    )
