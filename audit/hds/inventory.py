"""The inventory of providers holding the practice's data (`--inventory inventaire.yaml`).

    providers:
      - name: "Logiciel Exemple"
        service: "logiciel métier en ligne"
        data: "dossiers des patients, agenda"
        health_data: true          # facultatif, vrai par défaut
        host: "OVHcloud"           # facultatif : hébergeur qui conserve réellement les données

Errors name the file, the line and the field, in French.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from rgpd_audit.errors import ContentError
from rgpd_audit.yaml_source import YamlDocument, validation_message


class InventoryEntry(BaseModel):
    """One provider of the inventory."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, description="Provider's name, as on its contract")
    service: str = Field(min_length=1, description="What it does for the practice")
    data: str = Field(min_length=1, description="What data it holds")
    health_data: bool = Field(True, description="Whether it holds health data")
    host: str | None = Field(None, description="Host actually storing the data, if known")

    @field_validator("name", "service", "data", "host")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("texte vide")
        return value.strip() if value is not None else None


class Inventory(BaseModel):
    """Content of an inventory file."""

    model_config = ConfigDict(extra="forbid")

    providers: list[InventoryEntry] = Field(min_length=1)


@dataclass(frozen=True)
class LocatedEntry:
    """An inventory entry and where it is written."""

    entry: InventoryEntry
    where: str


def load_inventory(path: Path) -> list[LocatedEntry]:
    """Read and validate the inventory at `path`; `ContentError` naming line and field."""
    doc = YamlDocument.read(path, str(path), kind="inventaire")
    if not isinstance(doc.data, dict):
        raise ContentError(
            f"{path} : un bloc « providers: » avec la liste des prestataires est attendu"
        )
    try:
        inventory = Inventory.model_validate(doc.data)
    except ValidationError as exc:
        raise ContentError(validation_message(doc, exc)) from None
    return [
        LocatedEntry(entry, f"{path.name}, ligne {doc.line(('providers', index))}")
        for index, entry in enumerate(inventory.providers)
    ]
