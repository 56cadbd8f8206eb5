"""The practice's providers that hold health data, from the answers and the inventory."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import JsonValue

from rgpd_audit.hds.catalogs import consumer_services, provider_questions
from rgpd_audit.hds.inventory import load_inventory
from rgpd_audit.hds.model import ConsumerService
from rgpd_audit.hds.names import words

DONT_KNOW = "je_ne_sais_pas"
NO_HEALTH_DATA = "sans_donnees_sante"


@dataclass(frozen=True)
class DeclaredProvider:
    """A provider said to hold health data: its name, role and where it was declared."""

    name: str
    role: str
    origin: str
    host: str | None = None
    activity: int | None = None


@dataclass(frozen=True)
class Declarations:
    """What the practice declared about its providers.

    `known` is False when neither the questionnaire's list of providers nor an inventory was
    given: nothing can then be said, not even that there is no provider.
    """

    providers: list[DeclaredProvider] = field(default_factory=list)
    unnamed: list[str] = field(default_factory=list)
    known: bool = False


def declared_providers(
    answers: Mapping[str, JsonValue], inventory_file: Path | None
) -> Declarations:
    """Providers holding health data named in `answers` and in the inventory file."""
    questions = provider_questions()
    chosen = answers.get(questions.providers_question)
    providers: list[DeclaredProvider] = []
    unnamed: list[str] = []
    if isinstance(chosen, list):
        for role in questions.roles:
            if role.choice not in chosen:
                continue
            if any(answers.get(q) != v for q, v in role.requires.items()):
                continue
            if answers.get(role.hds_question) == NO_HEALTH_DATA:
                continue
            name = answers.get(role.name_question)
            if isinstance(name, str) and name.strip() and name != DONT_KNOW:
                # Printed in the client's report: the question's wording is theirs, its id is not.
                origin = "questionnaire"
                providers.append(
                    DeclaredProvider(name.strip(), role.label, origin, activity=role.activity)
                )
            else:
                unnamed.append(role.label)
    if inventory_file is not None:
        for located in load_inventory(inventory_file):
            entry = located.entry
            if entry.health_data:
                providers.append(
                    DeclaredProvider(entry.name, entry.service, located.where, entry.host)
                )
    return Declarations(
        providers=_unique(providers),
        unnamed=unnamed,
        known=isinstance(chosen, list) or inventory_file is not None,
    )


def _unique(providers: list[DeclaredProvider]) -> list[DeclaredProvider]:
    # The same provider named in the answers and in the inventory is judged once; the
    # inventory's entry may add the host, so it wins.
    by_name: dict[tuple[str, ...], DeclaredProvider] = {}
    for provider in providers:
        key = tuple(words(provider.name))
        if key not in by_name or provider.host:
            by_name[key] = provider
    return list(by_name.values())


def consumer_service(name: str) -> ConsumerService | None:
    """The consumer service `name` designates, unless it names a professional offer."""
    found = words(name)
    for service in consumer_services().services:
        if any(w in found for p in service.professional_words for w in words(p)):
            continue
        for known in service.names:
            wanted = words(known)
            if any(found[i : i + len(wanted)] == wanted for i in range(len(found))):
                return service
    return None
