"""Data files shipped with the tool: references, providers, scoring table.

Each file carries a `snapshot` header (source, retrieval date) so that the report can date
the data it relied on.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError

from rgpd_audit.errors import ContentError
from rgpd_audit.models import DataSnapshot, Reference, Severity


class Snapshot(BaseModel):
    source: str
    retrieved: str


class ReferenceCatalog(BaseModel):
    snapshot: Snapshot
    references: dict[str, Reference]

    def resolve(self, slugs: list[str], where: str) -> list[Reference]:
        """Turn slugs into references; an unknown slug is a content error naming `where`."""
        missing = [slug for slug in slugs if slug not in self.references]
        if missing:
            raise ContentError(f"{where} : référence(s) inconnue(s) {', '.join(missing)}")
        return [self.references[slug] for slug in slugs]


class GradeStep(BaseModel):
    grade: str
    min: int = Field(ge=0, le=100)


class ScoringTable(BaseModel):
    severity_weights: dict[Severity, int]
    grades: list[GradeStep] = Field(min_length=1)
    critical_failure_cap: str
    categories: dict[str, str]
    method: str


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


def snapshot_of(name: str, snapshot: Snapshot) -> DataSnapshot:
    return DataSnapshot(name=name, source=snapshot.source, retrieved=snapshot.retrieved)
