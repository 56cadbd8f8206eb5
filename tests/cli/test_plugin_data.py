"""A third-party package registers its own dated data file: the report's « sources et dates »
lists it beside the tool's own, and a file that does not validate is refused before the audit
with its file, line and field."""

import os
import subprocess
import sys
from pathlib import Path

from rgpd_audit.models import AuditResult

MODULE = """\
from pydantic import BaseModel

from rgpd_audit.datafiles import Snapshot, register_data_file


class Seuils(BaseModel):
    snapshot: Snapshot
    seuils: dict[str, int]


SEUILS = register_data_file(
    "extension_donnees", "seuils.yaml", Seuils, name="Seuils de l'extension d'essai"
)
"""

DATA = """\
snapshot:
  source: "Documentation de l'extension d'essai"
  retrieved: "2026-10-01"
seuils:
  minimum: {value}
"""


def install_plugin(site: Path, value: str) -> dict[str, str]:
    """A package on PYTHONPATH declaring its data module in the `rgpd_audit.datafiles` group."""
    package = site / "extension_donnees"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "donnees.py").write_text(MODULE)
    (package / "seuils.yaml").write_text(DATA.format(value=value))
    info = site / "extension_donnees-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: extension-donnees\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[rgpd_audit.datafiles]\nextension_donnees = extension_donnees.donnees\n"
    )
    return {**os.environ, "PYTHONPATH": str(site)}


def rgpd_audit(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    code = "from rgpd_audit.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_a_plugin_data_file_is_dated_in_the_report(tmp_path: Path, lab_args: list[str]) -> None:
    env = install_plugin(tmp_path / "site", "12")
    out = tmp_path / "out"
    done = rgpd_audit(
        env,
        "run",
        "--domain",
        "cabinet-conforme.fr",
        *lab_args,
        "--only",
        "mail.mx.present",
        "--format",
        "json",
        "-o",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    result = AuditResult.model_validate_json((out / "audit.json").read_text("utf-8"))
    sources = {s.name: s for s in result.data_snapshots}
    plugin = sources["Seuils de l'extension d'essai"]
    assert plugin.source == "Documentation de l'extension d'essai"
    assert plugin.retrieved == "2026-10-01"
    # The tool's own files are listed too, though the only check run reads none of them.
    assert "Durées de conservation de référence (registre)" in sources
    assert "Hébergeurs certifiés de données de santé (HDS)" in sources


def test_a_plugin_data_file_that_does_not_validate_stops_before_the_audit(tmp_path: Path) -> None:
    env = install_plugin(tmp_path / "site", "douze")
    done = rgpd_audit(env, "run", "--domain", "cabinet.fr", "--nameserver", "127.0.0.1:1")
    assert done.returncode == 2, done.stderr
    assert (
        "extension_donnees/seuils.yaml, ligne 5, champ seuils.minimum : valeur « douze » "
        "invalide (nombre entier attendu)"
    ) in done.stderr
    assert "Traceback" not in done.stderr
