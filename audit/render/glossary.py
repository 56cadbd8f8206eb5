"""The glossary printed as an annex: content in `audit/data/glossary.yaml`, editable by a DPO."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from rgpd_audit.datafiles import register_data_file


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Term(_Strict):
    """One entry: a term and its definition in plain French."""

    term: str = Field(min_length=1)
    definition: str = Field(min_length=1)


class Glossary(_Strict):
    """audit/data/glossary.yaml."""

    terms: list[Term] = Field(min_length=1)


GLOSSARY = register_data_file(
    "rgpd_audit.data", "glossary.yaml", Glossary, name="Glossaire du rapport", in_report=False
)


def glossary() -> Glossary:
    """The shipped glossary (validated, errors naming line and field)."""
    return GLOSSARY.load()
