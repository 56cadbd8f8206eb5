"""The HDS data files shipped in `rgpd_audit.hds.data`, validated when first read.

The hosts list itself is registered by `hds.store`, which knows which list is in use (the
downloaded one, else the shipped extract) and so what the report must say of it.
"""

from __future__ import annotations

from collections.abc import Sequence

from rgpd_audit.datafiles import register_data_file
from rgpd_audit.hds.model import (
    ActivityCatalog,
    ConsumerServiceCatalog,
    MatchingRules,
    ProviderQuestions,
)

DATA_PACKAGE = "rgpd_audit.hds.data"

ACTIVITIES = register_data_file(
    DATA_PACKAGE,
    "hds_activities.yaml",
    ActivityCatalog,
    name="Activités de l'hébergement de données de santé",
    in_report=False,
)
MATCHING_RULES = register_data_file(
    DATA_PACKAGE,
    "hds_aliases.yaml",
    MatchingRules,
    name="Formes juridiques et noms commerciaux des hébergeurs",
    in_report=False,
)
CONSUMER_SERVICES = register_data_file(
    DATA_PACKAGE,
    "consumer_services.yaml",
    ConsumerServiceCatalog,
    name="Services grand public de messagerie et de stockage",
    in_report=False,
)
PROVIDER_QUESTIONS = register_data_file(
    DATA_PACKAGE,
    "hds_questions.yaml",
    ProviderQuestions,
    name="Questions qui nomment les prestataires",
    in_report=False,
)


def activities() -> ActivityCatalog:
    """Labels of the six certifiable hosting activities."""
    return ACTIVITIES.load()


def matching_rules() -> MatchingRules:
    """Legal forms, generic words and alias groups used to compare names."""
    return MATCHING_RULES.load()


def consumer_services() -> ConsumerServiceCatalog:
    """Consumer messaging, mail and storage services."""
    return CONSUMER_SERVICES.load()


def provider_questions() -> ProviderQuestions:
    """Questions of the questionnaire that name providers holding health data."""
    return PROVIDER_QUESTIONS.load()


def activity_text(numbers: Sequence[int]) -> str:
    """« 1, 2 et 6 » style wording of certified activities; « non précisées » when unknown."""
    if not numbers:
        return "activités non précisées"
    labels = [str(n) for n in numbers]
    joined = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} et {labels[-1]}"
    return f"activité{'s' if len(labels) > 1 else ''} {joined}"
