"""Data files shipped with the tool: references, providers, scoring table.

Each file carries a `snapshot` header (source, retrieval date) so that the report can date
the data it relied on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from importlib.resources import files
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from rgpd_audit.errors import ContentError
from rgpd_audit.models import DataSnapshot, Reference, Severity
from rgpd_audit.yaml_source import YamlDocument, validation_message


class Snapshot(BaseModel):
    """Header of a data file: where its content comes from and when it was taken."""

    source: str
    retrieved: str


class ReferenceCatalog(BaseModel):
    """checks/data/references.yaml: the sources findings and questions may cite."""

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
    """checks/data/mail_providers.yaml: mail providers and how to recognise them."""

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
    """Lowest score giving `grade`."""

    grade: str
    min: int = Field(ge=0, le=100)


class ScoringTable(BaseModel):
    """audit/data/scoring.yaml: weights, grades, cap, categories and the method's text."""

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


def _validated(model: type[BaseModel], package: str, name: str) -> Any:
    """Read and validate a data file shipped in `package`; errors name the file and line."""
    source = f"{package}/{name}"
    doc = YamlDocument.read(files(package) / name, source)
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise ContentError(validation_message(doc, exc)) from None


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
    """Date and source of a data file, as recorded in audit.json and printed in the report."""
    return DataSnapshot(name=name, source=snapshot.source, retrieved=snapshot.retrieved)
