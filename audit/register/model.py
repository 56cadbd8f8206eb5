"""The register as one model, whatever the file it was read from."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from rgpd_audit.register.content import DpiaStatus, layout


class Location(BaseModel):
    """Where an activity sits in its file: sheet (spreadsheets only) and row or YAML line."""

    model_config = ConfigDict(frozen=True)

    sheet: str | None = None
    row: int

    def describe(self, column: str | None = None) -> str:
        """« feuille « Registre », ligne 4, colonne « Base légale » (E) » and the like."""
        parts = [f"feuille « {self.sheet} »"] if self.sheet is not None else []
        parts.append(f"ligne {self.row}")
        if column:
            parts.append(column)
        return ", ".join(parts)


class Processor(BaseModel):
    """A processor named for an activity, and whether an article 28 contract is signed."""

    name: str
    contract: bool | None = Field(description="None when the register does not say")


class Activity(BaseModel):
    """One processing activity (one row of the register).

    Text fields hold what the file says, placeholders such as « à compléter » included; the
    validation decides what counts as filled in.
    """

    location: Location
    name: str | None = None
    code: str | None = None
    controller: str | None = None
    purpose: str | None = None
    legal_basis: str | None = None
    health_data: bool | None = None
    art9_exception: str | None = None
    persons: str | None = None
    data_categories: str | None = None
    recipients: str | None = None
    transfers: str | None = None
    transfer_safeguards: str | None = None
    retention: str | None = None
    security: str | None = None
    processors: list[Processor] | None = Field(
        None, description="None when the cell is empty or still to be completed"
    )
    processors_text: str | None = None
    dpia: DpiaStatus | None = None
    dpia_text: str | None = None

    @property
    def label(self) -> str:
        """The activity's name, or its place in the file when it has none."""
        if layout().is_blank(self.name):
            return f"traitement sans nom ({self.location.describe()})"
        return (self.name or "").strip()


class Register(BaseModel):
    """A processing register read from a file."""

    source: str
    file_format: str = Field(description="xlsx, ods, csv or yaml (workbooks: by content)")
    activities: list[Activity]
    columns: dict[str, str] = Field(
        default_factory=dict,
        description="Column key → how the file names it (« colonne « Base légale » (E) »)",
    )
    ignored_columns: list[str] = Field(
        default_factory=list, description="Headers of the file that are not register columns"
    )

    def column_label(self, key: str) -> str:
        """How to point at a column in a message, even when the file lacks it."""
        return self.columns.get(key) or f"colonne « {layout().column(key).header} » (absente)"
