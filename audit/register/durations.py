"""Durations written in French in a register: « 20 ans », « 5 ans puis 15 ans », « trois mois »."""

from __future__ import annotations

import re

from rgpd_audit.register.text import fold

_WORDS = {
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "douze": 12,
    "quinze": 15,
    "vingt": 20,
    "trente": 30,
}
_MONTHS_PER_UNIT = {
    "an": 12.0,
    "ans": 12.0,
    "annee": 12.0,
    "annees": 12.0,
    "mois": 1.0,
    "semaine": 7 / 30.4375,
    "semaines": 7 / 30.4375,
    "jour": 1 / 30.4375,
    "jours": 1 / 30.4375,
}
_NUMBER = r"(\d+(?:d\d+)?|" + "|".join(_WORDS) + ")"
_DECIMAL = re.compile(r"(\d)[.,](\d)")
_DURATION = re.compile(r"\b" + _NUMBER + r" (" + "|".join(_MONTHS_PER_UNIT) + r")\b")


def durations_in_months(text: str) -> list[float]:
    """Every duration written in `text`, in months, in order of appearance.

    Decimal separators are marked before `fold` would turn « 1,5 an » into « 1 5 an ».
    """
    found = []
    marked = _DECIMAL.sub(r"\1d\2", text)
    for number, unit in _DURATION.findall(fold(marked)):
        value: float | None = _WORDS.get(number)
        if value is None:
            value = float(number.replace("d", "."))
        found.append(value * _MONTHS_PER_UNIT[unit])
    return found


def candidate_totals(durations: list[float]) -> list[float]:
    """Each stated duration, and their sum (« 5 ans en base active puis 15 ans d'archives »)."""
    if len(durations) < 2:
        return list(durations)
    return [*durations, sum(durations)]


def describe_months(months: float) -> str:
    """240 → « 20 ans », 3 → « 3 mois », 18 → « 1 an et 6 mois »."""
    whole = round(months)
    years, rest = divmod(whole, 12)
    parts = []
    if years:
        parts.append(f"{years} an" + ("s" if years > 1 else ""))
    if rest or not years:
        parts.append(f"{rest} mois")
    return " et ".join(parts)
