"""The YAML form of the register: `traitements:`, a list of mappings keyed like the columns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rgpd_audit.errors import ContentError
from rgpd_audit.register.content import Layout
from rgpd_audit.register.errors import RegisterError
from rgpd_audit.register.tables import MAX_FILE_BYTES, Cell, cell_text
from rgpd_audit.yaml_source import YamlDocument

TOP_KEY = "traitements"


@dataclass(frozen=True)
class YamlRecords:
    """Each activity's line and cells, and how its fields are named in messages."""

    records: list[tuple[int, dict[str, Cell]]]
    columns: dict[str, str]


def read_yaml_records(path: Path, source: str, grid: Layout) -> YamlRecords:
    """Activities of a YAML register, as text cells keyed by column key."""
    try:
        doc = YamlDocument.read(path, source, kind="registre")
    except ContentError as exc:
        raise RegisterError(str(exc)) from None
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get(TOP_KEY), list):
        raise RegisterError(
            f"{source} : registre YAML attendu, avec une clé « {TOP_KEY}: » suivie de la liste "
            "des traitements (voir « rgpd-audit register init -o registre.yaml »)"
        )
    for key in data:
        if key != TOP_KEY:
            raise RegisterError(
                f"{source}, ligne {doc.line([key], key=True)} : clé « {key} » inconnue "
                f"(seule « {TOP_KEY} » est attendue)"
            )
    by_yaml_key = {c.yaml_key: c for c in grid.columns}
    records = []
    for index, item in enumerate(data[TOP_KEY]):
        line = doc.line([TOP_KEY, index]) or 1
        if not isinstance(item, dict):
            raise RegisterError(
                f"{source}, ligne {line} : un traitement est un bloc « clé: valeur » "
                f"({', '.join(by_yaml_key)})"
            )
        cells: dict[str, Cell] = {}
        for key, value in item.items():
            column = by_yaml_key.get(str(key))
            here = f"{source}, ligne {doc.line([TOP_KEY, index, key], key=True)}, champ {key}"
            if column is None:
                raise RegisterError(f"{here} : champ inconnu (attendu : {', '.join(by_yaml_key)})")
            if column.kind == "processors" and isinstance(value, list):
                cells[column.key] = _processors_text(value, here)
            else:
                cells[column.key] = _scalar(value, here)
        records.append((line, cells))
    columns = {c.key: f"champ {c.yaml_key}" for c in grid.columns}
    return YamlRecords(records, columns)


def _scalar(value: object, here: str) -> Cell:
    if value is None or isinstance(value, str | int | float | bool | date):
        text = cell_text(value)
        if text is not None and len(text) > MAX_FILE_BYTES:
            raise RegisterError(f"{here} : texte trop long")
        return text
    raise RegisterError(f"{here} : texte attendu (pas une liste ni un bloc)")


def _processors_text(items: list[object], here: str) -> str:
    """`[{nom: X, contrat: oui}]` → the same text as a spreadsheet cell: `X (contrat : oui)`."""
    lines = []
    for item in items:
        if isinstance(item, str):
            lines.append(item)
            continue
        if not isinstance(item, dict) or "nom" not in item or set(item) - {"nom", "contrat"}:
            raise RegisterError(
                f"{here} : chaque sous-traitant s'écrit « - nom: … » avec « contrat: oui » ou "
                "« contrat: non »"
            )
        contract = cell_text(item.get("contrat"))
        name = _scalar(item["nom"], here) or ""
        lines.append(f"{name} (contrat : {contract})" if contract is not None else name)
    return "\n".join(lines)
