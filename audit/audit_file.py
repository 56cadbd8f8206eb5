"""Reading back an audit already carried out: its `audit.json`, or the copy inside report.pdf.

Kept apart from `models` so that the models stay the bottom of the tool (they import no file
reader, no error and no renderer), and apart from `render` so that reading an audit.json, as
the history does, does not load the report's template engine.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import ValidationError

from rgpd_audit.errors import InputError
from rgpd_audit.models import AUDIT_JSON_MAX_BYTES, SCHEMA_VERSION, AuditResult
from rgpd_audit.yaml_source import read_text


def load_audit_result(path: Path, max_bytes: int = AUDIT_JSON_MAX_BYTES) -> AuditResult:
    """Read an audit.json written by this tool, or the one embedded in its report PDF;
    `InputError` with the reason otherwise."""
    if path.suffix.lower() == ".pdf":
        # Imported here for speed only: the render package loads Jinja, which an audit.json
        # read back (the history, the commands' start-up) does not need.
        from rgpd_audit.render.pdf_source import audit_json_from_pdf

        raw = audit_json_from_pdf(path)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(
                f"{path} : résultats d'audit illisibles (pas du texte UTF-8)"
            ) from None
    else:
        text = read_text(path, str(path), kind="fichier d'audit", max_bytes=max_bytes)
    try:
        result = AuditResult.model_validate_json(text)
    except ValidationError as exc:
        raise InputError(f"{path} n'est pas un audit.json valide ({_where(exc)})") from None
    if result.schema_version != SCHEMA_VERSION:
        raise InputError(
            f"{path} : format {result.schema_version}, cette version lit le format {SCHEMA_VERSION}"
        )
    return result


def _where(exc: ValidationError) -> str:
    """Where the first problem is: a line and column when the JSON itself is broken, else
    the field's path."""
    first = exc.errors()[0]
    if first["type"] == "json_invalid":
        position = re.search(r"line (\d+) column (\d+)", str(first.get("ctx", {}).get("error")))
        if position:
            return f"JSON illisible ligne {position[1]}, colonne {position[2]}"
        return "JSON illisible"
    return "champ " + (".".join(str(part) for part in first["loc"]) or "document")
