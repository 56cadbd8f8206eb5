"""The report commands end to end: consultant configuration, formats, digests, annexes."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

from rgpd_audit.models import AuditResult

CliRun = Callable[..., CompletedProcess[str]]
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>'


def test_run_with_configuration_signs_exports_and_prints_digests(
    cli: CliRun, lab_args: list[str], tmp_path: Path
) -> None:
    (tmp_path / "logo.svg").write_bytes(SVG)
    config = tmp_path / "config.toml"
    config.write_text(
        '[consultant]\nfirm = "Conseil Test"\nname = "Marie Martin"\nlogo = "logo.svg"\n'
        f'[defaults]\noutput_dir = "{tmp_path / "audits"}"\nprofile = "medecin"\n',
        encoding="utf-8",
    )
    done = cli(
        "run", "--domain", "cabinet-conforme.fr", *lab_args, "--config", str(config),
        "--format", "json,html,xlsx,csv", "--annexes", "aucune",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (out,) = (tmp_path / "audits").iterdir()
    assert sorted(p.name for p in out.iterdir()) == [
        "audit.json",
        "constats.csv",
        "plan-action.csv",
        "report.html",
        "report.xlsx",
    ]
    audit = AuditResult.model_validate_json((out / "audit.json").read_text())
    assert audit.consultant is not None and audit.consultant.firm == "Conseil Test"
    assert audit.consultant.logo and audit.consultant.logo.startswith("data:image/svg+xml;")
    assert audit.target.profile == "medecin"
    html = (out / "report.html").read_text()
    assert "Conseil Test" in html and 'id="preuves"' not in html
    # The console gives every file's SHA-256; audit.json records the others'.
    printed = dict(re.findall(r"(\S+)\n\s+SHA-256 ([0-9a-f]{64})", done.stdout))
    assert set(printed) == {str(p) for p in out.iterdir()}
    for path, digest in printed.items():
        assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == digest
    assert {d.name for d in audit.deliverables} == {
        "report.html",
        "report.xlsx",
        "plan-action.csv",
        "constats.csv",
    }


def test_bad_configuration_is_one_french_line(cli: CliRun, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[consultant]\nlogo = "https://example.org/logo.png"\n', encoding="utf-8")
    done = cli("run", "--domain", "cabinet.fr", "--config", str(config))
    assert done.returncode == 2
    assert done.stderr.startswith("Erreur : ") and done.stderr.count("\n") == 1
    assert "ligne 2, clé consultant.logo" in done.stderr


def test_demo_report_shows_no_internal_ids(cli: CliRun, tmp_path: Path) -> None:
    done = cli("demo", "--format", "json,html", "--annexes", "complet", "-o", str(tmp_path))
    assert done.returncode == 0, done.stderr
    audit = AuditResult.model_validate_json((tmp_path / "audit.json").read_text())
    body = (tmp_path / "report.html").read_text().split("<body>", 1)[1]
    visible = re.sub(r"<[^>]+>", " ", body)
    assert not [f.check_id for f in audit.findings if f.check_id in visible]
    assert not re.findall(r"\bq\.[a-z_]+\.[a-z_]+", visible)
