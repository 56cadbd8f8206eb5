"""`audit.json`: the machine-readable result, re-renderable without scanning again."""

from __future__ import annotations

from rgpd_audit.models import AuditResult


def render_json(result: AuditResult) -> str:
    """Serialise `result` as indented JSON (readable by `AuditResult.model_validate_json`)."""
    return result.model_dump_json(indent=2)
