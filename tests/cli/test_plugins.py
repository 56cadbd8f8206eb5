"""A third-party package adds a check through the `rgpd_audit.checks` entry-point group."""

import json
import os
from pathlib import Path

from rgpd_audit.lab import Lab
from rgpd_audit.models import AuditResult, Status
from tests.cli.installed_plugin import install_package, rgpd_audit

README = Path(__file__).parents[2] / "README.md"


def readme_example(language: str) -> str:
    """The README's plugin example block in `language`: the test runs what users copy."""
    section = README.read_text(encoding="utf-8").split("<!-- exemple-extension", 1)[1]
    block = section.split(f"```{language}\n", 1)[1]
    return block.split("```", 1)[0]


PLUGIN = readme_example("python")
SIDECAR = readme_example("yaml")


def make_plugin(root: Path, sidecar: str) -> dict[str, str]:
    files = {"txt.py": PLUGIN, "txt.yaml": sidecar}
    entry_points = "[rgpd_audit.checks]\ndns.txt.exemple = monplugin.txt:enregistrements_txt\n"
    return install_package(root, "monplugin", files, entry_points)


def test_third_party_check_is_listed_and_run(tmp_path: Path, lab: Lab, lab_args: list[str]) -> None:
    (tmp_path / "site").mkdir()
    env = make_plugin(tmp_path / "site", SIDECAR)
    listed = rgpd_audit(env, "checks", "list")
    assert "dns.txt.exemple" in listed.stdout, listed.stderr
    out = tmp_path / "out"
    done = rgpd_audit(
        env,
        "run",
        "--domain",
        "injection.fr",
        *lab_args,
        "--only",
        "extension",
        "--format",
        "json",
        "-o",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    result = AuditResult.model_validate_json((out / "audit.json").read_text())
    [finding] = result.findings
    assert finding.check_id == "dns.txt.exemple" and finding.status is Status.PASS
    assert any("onerror" in str(e.value) for e in finding.evidence)
    # The facts travel typed in audit.json, and the published schema describes them.
    assert finding.facts_kind == "exemple.txt" and finding.facts is not None
    assert finding.facts["domaine"] == "injection.fr"
    assert any("onerror" in record for record in finding.facts["enregistrements"])
    schema = json.loads(rgpd_audit(env, "schema").stdout)
    assert schema["checks"]["dns.txt.exemple"][0] == "exemple.txt"
    assert schema["facts"]["exemple.txt"]["required"] == ["domaine", "enregistrements"]
    assert [r.label for r in finding.references] == [
        "RFC 1035",
        "RGPD art. 32 — sécurité du traitement",
    ]


def test_plugin_citing_an_unknown_reference_is_refused_before_the_audit(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    env = make_plugin(tmp_path / "site", SIDECAR.replace("rgpd-art32", "slug-inconnu"))
    done = rgpd_audit(env, "run", "--domain", "cabinet.fr", "--nameserver", "127.0.0.1:1")
    assert done.returncode == 2
    assert "slug-inconnu" in done.stderr and "txt.yaml" in done.stderr
    assert "Traceback" not in done.stderr


def test_plugin_whose_package_is_missing_is_a_clear_error(tmp_path: Path) -> None:
    site = tmp_path / "site"
    info = site / "fantome-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fantome\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[rgpd_audit.checks]\nx.y.z = fantome.absent:check\n")
    done = rgpd_audit({**os.environ, "PYTHONPATH": str(site)}, "checks", "list")
    assert done.returncode == 2
    assert "x.y.z" in done.stderr and "fantome.absent" in done.stderr
    assert "Traceback" not in done.stderr
