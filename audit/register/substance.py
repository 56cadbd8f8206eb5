"""What a register's cells say, beyond being filled in: consent for care, health data named in
the categories, health data sent outside the EU.

Pure functions of one activity and the texts of register_substance.yaml; each returns the
French message of a finding, or None.
"""

from __future__ import annotations

from rgpd_audit.register.content import (
    AdequateDestination,
    Layout,
    Substance,
    TransferTexts,
)
from rgpd_audit.register.model import Activity
from rgpd_audit.register.text import contains_phrase, fold

# How many words before a mention may negate it: « pas de données de santé ».
_NEGATION_REACH = 2


def _names_any(text: str | None, words: list[str]) -> bool:
    folded = fold(text or "")
    return any(contains_phrase(folded, fold(w)) for w in words)


def _is_care(activity: Activity, texts: Substance, grid: Layout) -> bool:
    code = None if grid.is_blank(activity.code) else activity.code
    return texts.care.includes(code, activity.name)


def consent_basis_for_care(activity: Activity, texts: Substance, grid: Layout) -> str | None:
    """Consent given as the art. 6 basis of a care activity, and no other basis beside it."""
    value = activity.legal_basis
    if grid.is_blank(value) or not _is_care(activity, texts, grid):
        return None
    consent = {fold(w) for w in texts.care.consent_bases}
    folded = fold(value or "")
    others = [
        word
        for words in grid.legal_bases.values()
        for word in words
        if fold(word) not in consent and contains_phrase(folded, fold(word))
    ]
    # « 6.1.c ; consentement pour les photos » names the care basis too: not this finding.
    if others or not _names_any(value, texts.care.consent_bases):
        return None
    return texts.care.legal_basis_message.format(valeur=value)


def consent_exception_for_care(activity: Activity, texts: Substance, grid: Layout) -> str | None:
    """Explicit consent given as the art. 9 exception of a care activity, without 9.2.h."""
    value = activity.art9_exception
    if not activity.health_data or grid.is_blank(value) or not _is_care(activity, texts, grid):
        return None
    if _names_any(value, texts.care.care_exceptions):
        return None
    if not _names_any(value, texts.care.consent_exceptions):
        return None
    return texts.care.exception_message.format(valeur=value)


def names_health_data(categories: str | None, texts: Substance) -> bool:
    """Whether the data categories name health data, a negated mention excepted."""
    words = fold(categories or "").split()
    negations = {fold(n) for n in texts.health_categories.negations}
    for phrase in (fold(w).split() for w in texts.health_categories.words):
        for start in range(len(words) - len(phrase) + 1):
            if words[start : start + len(phrase)] != phrase:
                continue
            before = words[max(0, start - _NEGATION_REACH) : start]
            if not negations.intersection(before):
                return True
    return False


def categories_contradict_flag(activity: Activity, texts: Substance, grid: Layout) -> str | None:
    """Health data named in the categories of an activity whose health-data flag says no."""
    if activity.health_data is not False or not names_health_data(activity.data_categories, texts):
        return None
    return texts.health_categories.message.format(
        valeur=activity.data_categories,
        categories=grid.column("data_categories").header,
        indicateur=grid.column("health_data").header,
    )


def holds_health_data(activity: Activity, texts: Substance) -> bool:
    """Flagged as health data, or health data named in the categories (the flag may be wrong)."""
    return bool(activity.health_data) or names_health_data(activity.data_categories, texts)


def adequate_destination(
    transfers: str, safeguards: str | None, texts: TransferTexts
) -> AdequateDestination | None:
    """The adequacy decision that covers the transfer, if the register shows one applies."""
    for destination in texts.adequate_destinations:
        if not _names_any(transfers, destination.words):
            continue
        # A US company is covered only when certified under the DPF: the register must say so.
        if not destination.safeguards or _names_any(safeguards, destination.safeguards):
            return destination
    return None


def destination_named(transfers: str, texts: TransferTexts) -> AdequateDestination | None:
    """The adequate destination the transfer cell names, whatever its safeguards say."""
    return next((d for d in texts.adequate_destinations if _names_any(transfers, d.words)), None)


def missing_safeguards(activity: Activity, texts: Substance, grid: Layout) -> str | None:
    """A transfer outside the EU whose safeguards cell is empty."""
    value = activity.transfers or ""
    if not grid.is_blank(activity.transfer_safeguards):
        return None
    message = texts.transfers.missing_safeguards_message.format(valeur=value)
    named = destination_named(value, texts.transfers)
    return message if named is None else f"{message} ; {named.missing_hint}"


def health_data_abroad(activity: Activity, texts: Substance) -> str | None:
    """Health data sent outside the EU: HDS hosting, in the EEA under the 2024 référentiel."""
    if not holds_health_data(activity, texts):
        return None
    value = activity.transfers or ""
    covered = adequate_destination(value, activity.transfer_safeguards, texts.transfers)
    if covered is None:
        return texts.transfers.health_message.format(valeur=value)
    return texts.transfers.health_adequate_message.format(
        valeur=value, destination=covered.destination, decision=covered.decision
    )
