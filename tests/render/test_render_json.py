"""audit.json is the stable, re-renderable interface: it must round-trip exactly."""

from __future__ import annotations

import json

from rgpd_audit.models import AuditResult
from rgpd_audit.render import render_json


def test_json_round_trips(result: AuditResult) -> None:
    text = render_json(result)
    assert AuditResult.model_validate_json(text) == result


def test_json_is_indented_and_keeps_hostile_text_verbatim(result: AuditResult) -> None:
    text = render_json(result)
    assert text.startswith("{\n  ")
    banner = json.loads(text)["findings"][0]["evidence"][0]["value"]
    # JSON is data, not markup: it must not be HTML-escaped.
    assert "<script>" in banner
