"""The data registry: every shipped file registered once and valid, the report's « sources et
dates » taken from it, French « file, line, field » errors, refusals at registration."""

from __future__ import annotations

import importlib
import pkgutil
import re
import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel, Field

import rgpd_audit
from rgpd_audit import datafiles
from rgpd_audit.catalog import ReferenceCatalog
from rgpd_audit.datafiles import Snapshot, read_model, register_data_file
from rgpd_audit.errors import ContentError
from rgpd_audit.password.catalogs import WordList

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DIRS: dict[str, str] = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"][
    "setuptools"
]["package-dir"]


def shipped_data_files() -> set[tuple[str, str]]:
    """(package, file name) of every file in the tool's data packages (`…data`)."""
    found = set()
    for package, folder in PACKAGE_DIRS.items():
        if package == "rgpd_audit.data" or package.endswith(".data"):
            for path in (ROOT / folder).iterdir():
                if path.is_file() and path.name != "__init__.py":
                    found.add((package, path.name))
    return found


def test_every_shipped_data_file_is_registered_and_validates() -> None:
    # Every module imported, as over a whole session: each registers the files it reads.
    for module in pkgutil.walk_packages(rgpd_audit.__path__, "rgpd_audit."):
        if not module.name.startswith(("rgpd_audit.history.migrations", "rgpd_audit.checks")):
            importlib.import_module(module.name)
    registered = {(d.package, d.filename): d for d in datafiles.registered()}
    ours = {key for key in registered if key[0].startswith("rgpd_audit.")}
    assert ours == shipped_data_files()
    for entry in registered.values():
        entry.load()
    # None is left where core layers used to read them through the checks package.
    assert not (ROOT / "checks" / "data").exists()


def test_the_report_dates_each_file_in_french_order() -> None:
    lines = datafiles.report_snapshots()
    names = [line.name for line in lines]
    assert names == [
        "Ancres de confiance DNSSEC de la racine",
        "Destinataires de rapports DMARC",
        "Durées de conservation de référence (registre)",
        "Fournisseurs de messagerie",
        "Hébergeurs certifiés de données de santé (HDS)",
        "Références réglementaires",
        "Sélecteurs DKIM essayés",
        "Serveurs IMAP, POP et de soumission des fournisseurs",
    ]
    # The dates the files already carried, never today's.
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", line.retrieved) for line in lines)
    assert all(line.source for line in lines)


def test_every_dated_file_has_one_snapshot_type() -> None:
    datafiles.import_declared()  # every declared module, whatever this worker imported before
    for entry in datafiles.registered():
        header = getattr(entry.load(), "snapshot", None)
        assert header is None or isinstance(header, Snapshot), entry.source


def test_a_bad_yaml_file_is_named_with_its_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "references.yaml"
    path.write_text(
        "snapshot:\n  source: s\n  retrieved: '2026-11-25'\nreferences:\n  rfc:\n    url: x\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as error:
        read_model(ReferenceCatalog, path, "references.yaml")
    assert str(error.value) == (
        "references.yaml, ligne 6, champ references.rfc.label : champ obligatoire manquant"
    )


def test_an_unknown_header_field_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "references.yaml"
    path.write_text(
        "snapshot:\n  source: s\n  retreived: '2026-11-25'\nreferences: {}\n", encoding="utf-8"
    )
    with pytest.raises(ContentError, match=r"ligne 3, champ snapshot\.retreived : champ inconnu"):
        read_model(ReferenceCatalog, path, "references.yaml")


def test_a_text_file_is_validated_whole(tmp_path: Path) -> None:
    path = tmp_path / "mots.txt"
    path.write_text("# Provenance : essai\nazerty\n\nsoleil\n", encoding="utf-8")
    words = read_model(WordList, path, "mots.txt")
    assert words.words == ("azerty", "soleil") and words.header == "Provenance : essai"
    path.write_text("# Provenance seule\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"^mots\.txt, champ words : au moins 1 élément"):
        read_model(WordList, path, "mots.txt")


class _Undated(BaseModel):
    values: list[int] = Field(default_factory=list)


def test_a_file_for_the_report_must_declare_its_snapshot() -> None:
    with pytest.raises(ValueError, match="snapshot"):
        register_data_file("mon_extension.donnees", "seuils.yaml", _Undated, name="Seuils")
    assert ("mon_extension.donnees", "seuils.yaml") not in {
        (d.package, d.filename) for d in datafiles.registered()
    }


def test_a_file_cannot_be_registered_twice_differently() -> None:
    with pytest.raises(ValueError, match="déjà enregistré"):
        register_data_file(
            "rgpd_audit.data", "references.yaml", _Undated, name="Autre", in_report=False
        )
