"""A third-party package registers its own dated data file: the report's « sources et dates »
lists it beside the tool's own, and a file that does not validate is refused before the audit
with its file, line and field."""

from pathlib import Path

from rgpd_audit.models import AuditResult
from tests.cli.installed_plugin import install_package, rgpd_audit

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
    files = {"donnees.py": MODULE, "seuils.yaml": DATA.format(value=value)}
    entry_points = "[rgpd_audit.datafiles]\nextension_donnees = extension_donnees.donnees\n"
    return install_package(site, "extension_donnees", files, entry_points)


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
