"""A broken sidecar is reported with its file, line and field, never as a traceback."""

from pathlib import Path

import pytest

from rgpd_audit import registry
from rgpd_audit.errors import ContentError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "extension.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_severity_names_line_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "web.x.y:\n  title: t\n  category: c\n  severity: urgent\n  description: d\n"
        "  risk: r\n  remediation: m\n  references: [rgpd-art32]\n",
    )
    with pytest.raises(ContentError) as info:
        registry._read_sidecar(path)
    message = str(info.value)
    assert "extension.yaml" in message and "ligne 4" in message and "severity" in message


@pytest.mark.parametrize("text", ["- a\n- b\n", "web.x.y: juste du texte\n", "a: [\n"])
def test_malformed_sidecars_are_content_errors(tmp_path: Path, text: str) -> None:
    with pytest.raises(ContentError, match=r"extension\.yaml"):
        registry._read_sidecar(write(tmp_path, text))
