"""Data files shipped with the tool: references, providers, scoring table.

Each file carries a `snapshot` header (source, retrieval date) so that the report can date
the data it relied on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from importlib.resources import files
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from rgpd_audit.errors import ContentError
from rgpd_audit.models import DataSnapshot, Reference, Severity


class Snapshot(BaseModel):
    source: str
    retrieved: str


class ReferenceCatalog(BaseModel):
    snapshot: Snapshot
    references: dict[str, Reference]

    def resolve(self, items: Sequence[str | Reference], where: str) -> list[Reference]:
        """Turn slugs into references (full references pass through).

        An unknown slug is a content error naming `where`.
        """
        missing = [i for i in items if isinstance(i, str) and i not in self.references]
        if missing:
            raise ContentError(f"{where} : référence(s) inconnue(s) {', '.join(missing)}")
        return [self.references[i] if isinstance(i, str) else i for i in items]


class Provider(BaseModel):
    """A mail provider, recognised by address domain or MX host name."""

    id: str
    name: str
    kind: Literal["consumer", "professional", "health"]
    country: str
    non_eu_law: bool
    address_domains: list[str] = Field(default_factory=list)
    mx_suffixes: list[str] = Field(default_factory=list)
    verified: bool


class ProviderCatalog(BaseModel):
    snapshot: Snapshot
    providers: list[Provider]

    def by_address_domain(self, domain: str) -> Provider | None:
        """The provider of an e-mail address domain (sub-domains included)."""
        return self._first(domain, lambda p: p.address_domains)

    def by_mx_host(self, host: str) -> Provider | None:
        """The provider operating an MX host name."""
        return self._first(host, lambda p: p.mx_suffixes)

    def _first(self, name: str, suffixes: Callable[[Provider], list[str]]) -> Provider | None:
        name = name.lower().rstrip(".")
        for provider in self.providers:
            if any(name == s or name.endswith("." + s) for s in suffixes(provider)):
                return provider
        return None


class GradeStep(BaseModel):
    grade: str
    min: int = Field(ge=0, le=100)


class ScoringTable(BaseModel):
    severity_weights: dict[Severity, int]
    grades: list[GradeStep] = Field(min_length=1)
    critical_failure_cap: str
    categories: dict[str, str]
    method: str

    @model_validator(mode="after")
    def _cap_is_a_grade(self) -> ScoringTable:
        if self.critical_failure_cap not in {step.grade for step in self.grades}:
            raise ValueError(
                f"critical_failure_cap {self.critical_failure_cap} n'est pas une lettre de grades"
            )
        return self


def read_yaml(package: str, name: str) -> Any:
    """Parse a YAML file shipped in `package`; errors name the file."""
    resource = files(package) / name
    try:
        return yaml.safe_load(resource.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{package}/{name} illisible : {exc}") from None


def _validated(model: type[BaseModel], package: str, name: str) -> Any:
    try:
        return model.model_validate(read_yaml(package, name))
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise ContentError(f"{package}/{name}, champ {field} : {first['msg']}") from None


@cache
def references() -> ReferenceCatalog:
    """The reference catalog (slug → label, URL)."""
    return _validated(ReferenceCatalog, "rgpd_audit.checks", "data/references.yaml")


@cache
def scoring_table() -> ScoringTable:
    """Weights, grade thresholds and category labels used by scoring."""
    return _validated(ScoringTable, "rgpd_audit.data", "scoring.yaml")


@cache
def providers() -> ProviderCatalog:
    """Mail providers by address domain and MX host name."""
    return _validated(ProviderCatalog, "rgpd_audit.checks", "data/mail_providers.yaml")


def snapshot_of(name: str, snapshot: Snapshot) -> DataSnapshot:
    return DataSnapshot(name=name, source=snapshot.source, retrieved=snapshot.retrieved)
