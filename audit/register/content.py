"""The register's data files: column layout, retention rules, starter registers.

They live in `checks/data/register_*.yaml` so that a DPO can reword headers, add synonyms or
activities without touching Python; each is validated here, errors naming file and line.
"""

from __future__ import annotations

import string
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rgpd_audit.catalog import shipped_model
from rgpd_audit.concurrency import cached_once
from rgpd_audit.register.text import contains_phrase, fold, header_key

PACKAGE = "rgpd_audit.checks"
ColumnKind = Literal["text", "yes_no", "processors", "dpia"]
DpiaStatus = Literal["done", "not_required", "planned"]
COLUMN_KEYS = (
    "name",
    "code",
    "controller",
    "purpose",
    "legal_basis",
    "health_data",
    "art9_exception",
    "persons",
    "data_categories",
    "recipients",
    "transfers",
    "transfer_safeguards",
    "retention",
    "security",
    "processors",
    "dpia",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Snapshot(_Strict):
    """Where a data file's content comes from, and when it was taken."""

    source: str
    retrieved: str


class Column(_Strict):
    """One column of the register: its key, French header, accepted synonyms."""

    key: Literal[COLUMN_KEYS]  # type: ignore[valid-type]
    yaml_key: str = Field(pattern=r"^[a-z_0-9]+$")
    header: str
    synonyms: list[str] = Field(default_factory=list)
    kind: ColumnKind
    help: str


class DpiaThreshold(_Strict):
    """When the questionnaire's answers say a DPIA should exist (référentiel CNIL 2020)."""

    structure_question: str
    structure_answer: str
    patients_question: str
    patients_over: int
    source: str


class Layout(_Strict):
    """register_columns.yaml: how a register file is laid out and how cells are read."""

    snapshot: Snapshot
    sheet: str
    sheet_synonyms: list[str]
    placeholders: list[str]
    none_values: list[str]
    columns: list[Column]
    yes_values: list[str]
    no_values: list[str]
    dpia_values: dict[DpiaStatus, list[str]]
    legal_bases: dict[str, list[str]]
    art9_exceptions: list[str]
    dpia_threshold: DpiaThreshold

    @model_validator(mode="after")
    def _every_key_once(self) -> Layout:
        keys = [c.key for c in self.columns]
        if sorted(keys) != sorted(COLUMN_KEYS):
            raise ValueError(f"colonnes attendues une fois chacune : {', '.join(COLUMN_KEYS)}")
        return self

    def column(self, key: str) -> Column:
        """The column whose key is `key`."""
        return next(c for c in self.columns if c.key == key)

    def match_header(self, text: str) -> Column | None:
        """The column a header written in a file stands for, if any."""
        wanted = header_key(text)
        if not wanted:
            return None
        for column in self.columns:
            if wanted in {header_key(h) for h in (column.header, *column.synonyms)}:
                return column
        return None

    def is_register_sheet(self, name: str) -> bool:
        """Whether a sheet name is one of the register sheet's names."""
        return header_key(name) in {header_key(n) for n in (self.sheet, *self.sheet_synonyms)}

    def is_blank(self, value: str | None) -> bool:
        """Empty, punctuation only, or a placeholder such as « à compléter »."""
        folded = fold(value or "")
        if not folded:
            return True
        # Short placeholders (« xxx ») count only alone; longer ones anywhere in the cell.
        return any(
            folded == fold(p) or (len(fold(p)) > 3 and contains_phrase(folded, fold(p)))
            for p in self.placeholders
        )

    def is_none(self, value: str) -> bool:
        """A value that explicitly says « nothing » (no transfer, no processor)."""
        return fold(value) in {fold(v) for v in self.none_values}


class RetentionRule(_Strict):
    """A retention period the CNIL recommends for one category of data.

    A rule judges an activity only where the register really speaks of its category: the
    whole activity when the activity is that category (by its code, or without a code by its
    whole name), else the parts of the retention cell that name the category (`mentions`).
    Words of a longer name never match: « Facturation et télétransmission des feuilles de
    soins » is billing, not the FSE duplicates the 3-month rule covers.
    """

    code: str
    label: str
    activity_codes: list[str] = Field(default_factory=list)
    names: list[str] = Field(default_factory=list)
    mentions: list[str] = Field(default_factory=list)
    min_months: float = Field(gt=0)
    max_months: float = Field(gt=0)
    recommendation: str
    source: str
    references: list[str] = Field(min_length=1)

    def is_activity(self, code: str | None, name: str | None) -> bool:
        """Whether the activity as a whole is this rule's category."""
        if code and fold(code):
            return fold(code) in {fold(c) for c in self.activity_codes}
        wanted = header_key(name or "")
        return bool(wanted) and wanted in {header_key(n) for n in self.names}

    def is_mentioned(self, text: str) -> bool:
        """Whether a piece of a retention cell names this rule's category."""
        folded = fold(text)
        return any(contains_phrase(folded, fold(m)) for m in self.mentions)


class RetentionRules(_Strict):
    """register_retention.yaml."""

    snapshot: Snapshot
    rules: list[RetentionRule]


def _template(text: str, allowed: set[str]) -> str:
    """A message template whose {fields} are all among `allowed` (checked when loaded)."""
    used = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    unknown = sorted(used - allowed)
    if unknown:
        known = ", ".join(f"{{{a}}}" for a in sorted(allowed))
        raise ValueError(f"champ(s) inconnu(s) {', '.join(unknown)} (possibles : {known})")
    return text


class CareActivities(_Strict):
    """Care activities, whose health data rest on art. 9.2.h with 9.3, not on consent."""

    codes: list[str]
    names: list[str]
    consent_bases: list[str] = Field(min_length=1)
    consent_exceptions: list[str] = Field(min_length=1)
    care_exceptions: list[str] = Field(min_length=1)
    legal_basis_message: str
    exception_message: str

    @model_validator(mode="after")
    def _templates(self) -> CareActivities:
        _template(self.legal_basis_message, {"valeur"})
        _template(self.exception_message, {"valeur"})
        return self

    def includes(self, code: str | None, name: str | None) -> bool:
        """By the activity's code when it has one, else by its whole name."""
        if code and fold(code):
            return fold(code) in {fold(c) for c in self.codes}
        wanted = header_key(name or "")
        return bool(wanted) and wanted in {header_key(n) for n in self.names}


class HealthCategories(_Strict):
    """Wordings of « health data » in the data categories column."""

    words: list[str] = Field(min_length=1)
    negations: list[str]
    message: str

    @model_validator(mode="after")
    def _templates(self) -> HealthCategories:
        _template(self.message, {"valeur", "categories", "indicateur"})
        return self


class AdequateDestination(_Strict):
    """A destination covered by an adequacy decision of the European Commission (art. 45)."""

    destination: str
    words: list[str] = Field(min_length=1)
    safeguards: list[str] = Field(
        description="Words the safeguards must contain for the decision to apply (empty: none)"
    )
    decision: str
    missing_hint: str


class TransferTexts(_Strict):
    """What the register check says about transfers outside the EU."""

    missing_safeguards_message: str
    health_message: str
    health_adequate_message: str
    adequate_destinations: list[AdequateDestination]

    @model_validator(mode="after")
    def _templates(self) -> TransferTexts:
        _template(self.missing_safeguards_message, {"valeur"})
        _template(self.health_message, {"valeur"})
        _template(self.health_adequate_message, {"valeur", "destination", "decision"})
        return self


class Substance(_Strict):
    """register_substance.yaml: what the register's cells must say, beyond being filled in."""

    snapshot: Snapshot
    care: CareActivities
    health_categories: HealthCategories
    transfers: TransferTexts


class StarterActivity(_Strict):
    """One pre-filled activity of a starter register."""

    code: str
    values: dict[Literal[COLUMN_KEYS], str]  # type: ignore[valid-type]


class Starter(_Strict):
    """register_starter.yaml: the activities a practice typically has, per profile."""

    snapshot: Snapshot
    profiles: dict[str, list[str]]
    activities: list[StarterActivity]

    @model_validator(mode="after")
    def _profiles_name_known_activities(self) -> Starter:
        known = {a.code for a in self.activities}
        for profile, codes in self.profiles.items():
            unknown = [c for c in codes if c not in known]
            if unknown:
                raise ValueError(f"profil {profile} : activité(s) inconnue(s) {', '.join(unknown)}")
        return self


@cached_once
def layout() -> Layout:
    """The register's column layout (register_columns.yaml)."""
    return shipped_model(Layout, PACKAGE, "data/register_columns.yaml")


@cached_once
def retention_rules() -> RetentionRules:
    """Recommended retention periods (register_retention.yaml)."""
    return shipped_model(RetentionRules, PACKAGE, "data/register_retention.yaml")


@cached_once
def starter() -> Starter:
    """Starter registers per profile (register_starter.yaml)."""
    return shipped_model(Starter, PACKAGE, "data/register_starter.yaml")


@cached_once
def substance() -> Substance:
    """Consent for care, health data in the categories, transfers (register_substance.yaml)."""
    return shipped_model(Substance, PACKAGE, "data/register_substance.yaml")
