"""Network text is made printable and bounded before it enters a finding (issue 16, defect 5).

The lab's `hostile-controle` scenario serves terminal escapes (ESC [ colours, an OSC 8
hyperlink ended by BEL) in a TXT record and in the SMTP banner of its MX.
"""

from __future__ import annotations

import json
from pathlib import Path

from rgpd_audit.lab import Lab
from rgpd_audit.models import (
    MAX_EVIDENCE_ITEMS,
    MAX_FINDING_TEXT,
    CheckResult,
    ErrorInfo,
    Evidence,
    Status,
)

CONTROLS = ("\x1b", "\x07", "\x9b", "\x00")


def strings(value: object) -> list[str]:
    """Every string in a parsed JSON document."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *strings(v))]
    return []


def test_terminal_escapes_from_dns_and_smtp_reach_no_report(cli, lab: Lab, tmp_path: Path) -> None:
    out = tmp_path / "rapport"
    done = cli(
        "run", "-d", lab.scenarios["hostile-controle"].domain, *lab.cli_args(),
        "--timeout", "2", "-o", str(out), "--format", "json,html",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    html = (out / "report.html").read_text(encoding="utf-8")
    document = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    texts = strings(document)
    # The payload did arrive (the TXT record is quoted in the SPF findings), made harmless.
    assert any("ROUGE" in text for text in texts)
    assert any("evil.example" in text for text in texts)
    for control in CONTROLS:
        assert control not in html
        assert not any(control in text for text in texts), repr(control)


def test_finding_text_is_printable_and_capped() -> None:
    result = CheckResult(
        status=Status.INDETERMINATE,
        summary="bannière \x1b]8;;https://evil.example/\x07lien\x1b]8;;\x07" + "x" * 10**6,
        subject="mx\x1b[2J",
        error=ErrorInfo(reason="smtp", message="réponse \x1b[31m500"),
        evidence=[
            Evidence(label="Bannière\x1b", value="220 \u202eevil\x00"),
            Evidence(label="Lignes", value=["a\x1b[0m"] * (MAX_EVIDENCE_ITEMS + 50)),
        ],
    )
    assert len(result.summary) <= MAX_FINDING_TEXT
    assert result.subject == "mx [2J"
    assert result.error is not None and "\x1b" not in result.error.message
    assert result.evidence[0].label == "Bannière"
    assert result.evidence[0].value == "220  evil"
    lines = result.evidence[1].value
    assert isinstance(lines, list) and len(lines) == MAX_EVIDENCE_ITEMS + 1
    assert lines[0] == "a [0m" and lines[-1] == "… et 50 autre(s)"
