"""The published schema of audit.json, with the schema of every kind of facts.

`rgpd-audit schema` prints it. The facts of a finding are typed by its `facts_kind`; the
schema of each kind is listed under `facts`, and `checks` says which kinds each installed
check may produce (third-party checks included), so that a script can read what was seen
without parsing French.
"""

from __future__ import annotations

from typing import Any

from rgpd_audit.models import AuditResult, Facts
from rgpd_audit.registry import discover, fact_types


def published_schema() -> dict[str, Any]:
    """JSON Schema of audit.json, with `facts` (kind → schema) and `checks` (id → kinds)."""
    schema = AuditResult.model_json_schema()
    kinds: dict[str, type[Facts]] = {}
    by_check: dict[str, list[str]] = {}
    for spec in discover():
        types = fact_types(spec.load())
        by_check[spec.meta.id] = [t.kind for t in types]
        for fact_type in types:
            kinds.setdefault(fact_type.kind, fact_type)
    schema["facts"] = {kind: kinds[kind].model_json_schema() for kind in sorted(kinds)}
    schema["checks"] = by_check
    return schema
