"""Data files shipped with the tool: references, providers, scoring table.

Each file carries a `snapshot` header (source, retrieval date) so that the report can date
the data it relied on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError, model_validator

from rgpd_audit.concurrency import cached_once
from rgpd_audit.errors import ContentError
from rgpd_audit.models import DataSnapshot, Reference, Severity
from rgpd_audit.yaml_source import YamlDocument, validation_message

M = TypeVar("M", bound=BaseModel)


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


ProviderKind = Literal["consumer", "professional", "health"]


class Provider(BaseModel):
    """A mail provider, recognised by address domain or MX host name."""

    id: str
    name: str
    kind: ProviderKind
    country: str
    non_eu_law: bool
    address_domains: list[str] = Field(default_factory=list)
    mx_suffixes: list[str] = Field(default_factory=list)
    spf_includes: list[str] = Field(
        default_factory=list, description="Domains of the provider's SPF include: mechanisms"
    )
    verified: bool


class ProviderCatalog(BaseModel):
    """checks/data/mail_providers.yaml: mail providers and how to recognise them."""

    snapshot: Snapshot
    kind_labels: dict[ProviderKind, str]
    providers: list[Provider]

    @model_validator(mode="after")
    def _every_kind_has_a_label(self) -> ProviderCatalog:
        missing = {p.kind for p in self.providers} - set(self.kind_labels)
        if missing:
            raise ValueError(f"kind_labels : libellé manquant pour {', '.join(sorted(missing))}")
        return self

    def by_address_domain(self, domain: str) -> Provider | None:
        """The provider of an e-mail address domain (sub-domains included)."""
        return self._first(domain, lambda p: p.address_domains)

    def by_mx_host(self, host: str) -> Provider | None:
        """The provider operating an MX host name."""
        return self._first(host, lambda p: p.mx_suffixes)

    def by_spf_include(self, domain: str) -> Provider | None:
        """The provider whose servers an SPF `include:` domain authorises to send."""
        return self._first(domain, lambda p: p.spf_includes)

    def _first(self, name: str, suffixes: Callable[[Provider], list[str]]) -> Provider | None:
        name = name.lower().rstrip(".")
        for provider in self.providers:
            if any(name == s or name.endswith("." + s) for s in suffixes(provider)):
                return provider
        return None


class DkimSelectorGroup(BaseModel):
    """Selectors a provider uses by default, with where that knowledge comes from."""

    provider: str
    selectors: list[str] = Field(min_length=1)
    source: str
    verified: bool


class DkimSelectorCatalog(BaseModel):
    """checks/data/dkim_selectors.yaml: the DKIM selectors probed on every domain."""

    snapshot: Snapshot
    selectors: list[DkimSelectorGroup]

    def providers_of(self, selector: str) -> list[str]:
        """Providers known to use `selector` (several share `s1`, `default`…)."""
        return [g.provider for g in self.selectors if selector in g.selectors]

    def all_selectors(self) -> list[str]:
        """Every listed selector once, in file order."""
        return list(dict.fromkeys(s for g in self.selectors for s in g.selectors))


class ClientEndpoint(BaseModel):
    """A host a provider's customers configure in their mail software, for one service."""

    service: Literal["imaps", "imap", "pop3s", "pop3", "submissions", "submission"]
    host: str


class ProviderClientHosts(BaseModel):
    """The client hosts of one provider of mail_providers.yaml, with where they come from."""

    provider: str
    endpoints: list[ClientEndpoint] = Field(min_length=1)
    source: str
    verified: bool


class ClientHostCatalog(BaseModel):
    """checks/data/mail_client_hosts.yaml: IMAP/POP/submission hosts of known providers."""

    snapshot: Snapshot
    providers: list[ProviderClientHosts]

    def of(self, provider_id: str) -> ProviderClientHosts | None:
        """The entry of `provider_id`, if the file lists it."""
        return next((p for p in self.providers if p.provider == provider_id), None)


class GradeStep(BaseModel):
    """Lowest score giving `grade`."""

    grade: str
    min: int = Field(ge=0, le=100)


class ScoringTable(BaseModel):
    """audit/data/scoring.yaml: weights, grades, cap, categories and the method's text."""

    severity_weights: dict[Severity, int]
    severity_labels: dict[Severity, str]
    grades: list[GradeStep] = Field(min_length=1)
    critical_failure_cap: str
    conformity_caps: dict[Severity, str]
    categories: dict[str, str]
    method: str
    severity_policy: str
    disclaimer: str

    @model_validator(mode="after")
    def _every_severity_named(self) -> ScoringTable:
        missing = [s.value for s in Severity if s not in self.severity_labels]
        if missing:
            raise ValueError(f"severity_labels : gravité(s) sans libellé : {', '.join(missing)}")
        return self

    @model_validator(mode="after")
    def _cap_is_a_grade(self) -> ScoringTable:
        letters = {step.grade for step in self.grades}
        for severity, letter in self.conformity_caps.items():
            if letter not in letters:
                raise ValueError(
                    f"conformity_caps {severity.value} : {letter} n'est pas une lettre"
                )
        if self.critical_failure_cap not in letters:
            raise ValueError(
                f"critical_failure_cap {self.critical_failure_cap} n'est pas une lettre de grades"
            )
        return self


def read_model(model: type[M], path: Path | Traversable, source: str) -> M:
    """Read and validate one YAML file; `ContentError` naming `source`, line and field."""
    doc = YamlDocument.read(path, source)
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise ContentError(validation_message(doc, exc)) from None


def shipped_model(model: type[M], package: str, name: str) -> M:
    """Read and validate the data file `name` shipped in `package` (source `package/name`)."""
    return read_model(model, files(package) / name, f"{package}/{name}")


@cached_once
def references() -> ReferenceCatalog:
    """The reference catalog (slug → label, URL)."""
    return shipped_model(ReferenceCatalog, "rgpd_audit.checks", "data/references.yaml")


@cached_once
def scoring_table() -> ScoringTable:
    """Weights, grade thresholds and category labels used by scoring."""
    return shipped_model(ScoringTable, "rgpd_audit.data", "scoring.yaml")


@cached_once
def providers() -> ProviderCatalog:
    """Mail providers by address domain and MX host name."""
    return shipped_model(ProviderCatalog, "rgpd_audit.checks", "data/mail_providers.yaml")


@cached_once
def client_hosts() -> ClientHostCatalog:
    """IMAP, POP3 and submission hosts of known providers (used when no SRV is published)."""
    return shipped_model(ClientHostCatalog, "rgpd_audit.checks", "data/mail_client_hosts.yaml")


@cached_once
def dkim_selectors() -> DkimSelectorCatalog:
    """DKIM selectors of common providers, probed on every audited domain."""
    return shipped_model(DkimSelectorCatalog, "rgpd_audit.checks", "data/dkim_selectors.yaml")


def snapshot_of(name: str, snapshot: Snapshot) -> DataSnapshot:
    """Date and source of a data file, as recorded in audit.json and printed in the report."""
    return DataSnapshot(name=name, source=snapshot.source, retrieved=snapshot.retrieved)
