"""The glossary printed as an annex: content in `audit/data/glossary.yaml`, editable by a DPO."""

from __future__ import annotations

from functools import cache

from pydantic import BaseModel, ConfigDict, Field

from rgpd_audit.catalog import shipped_model


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Term(_Strict):
    """One entry: a term and its definition in plain French."""

    term: str = Field(min_length=1)
    definition: str = Field(min_length=1)


class Glossary(_Strict):
    """audit/data/glossary.yaml."""

    terms: list[Term] = Field(min_length=1)


@cache
def glossary() -> Glossary:
    """The shipped glossary (validated, errors naming line and field)."""
    return shipped_model(Glossary, "rgpd_audit.data", "glossary.yaml")
