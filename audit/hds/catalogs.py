"""The HDS data files shipped in checks/data, validated when first read."""

from __future__ import annotations

from importlib.resources import files
from typing import TypeVar

from pydantic import BaseModel

from rgpd_audit.catalog import read_model
from rgpd_audit.concurrency import cached_once
from rgpd_audit.hds.model import (
    ActivityCatalog,
    ConsumerServiceCatalog,
    HostList,
    MatchingRules,
    ProviderQuestions,
)

Model = TypeVar("Model", bound=BaseModel)
PACKAGE = "rgpd_audit.checks"


def _shipped(model: type[Model], name: str) -> Model:
    return read_model(model, files(PACKAGE) / "data" / name, f"checks/data/{name}")


@cached_once
def shipped_hosts() -> HostList:
    """The partial extract shipped with the tool (vendor claims only)."""
    return _shipped(HostList, "hds_hosts.yaml")


@cached_once
def activities() -> ActivityCatalog:
    """Labels of the six certifiable hosting activities."""
    return _shipped(ActivityCatalog, "hds_activities.yaml")


@cached_once
def matching_rules() -> MatchingRules:
    """Legal forms, generic words and alias groups used to compare names."""
    return _shipped(MatchingRules, "hds_aliases.yaml")


@cached_once
def consumer_services() -> ConsumerServiceCatalog:
    """Consumer messaging, mail and storage services."""
    return _shipped(ConsumerServiceCatalog, "consumer_services.yaml")


@cached_once
def provider_questions() -> ProviderQuestions:
    """Questions of the questionnaire that name providers holding health data."""
    return _shipped(ProviderQuestions, "hds_questions.yaml")


def activity_text(numbers: list[int]) -> str:
    """« 1, 2 et 6 » style wording of certified activities; « non précisées » when unknown."""
    if not numbers:
        return "activités non précisées"
    labels = [str(n) for n in numbers]
    joined = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} et {labels[-1]}"
    return f"activité{'s' if len(labels) > 1 else ''} {joined}"
