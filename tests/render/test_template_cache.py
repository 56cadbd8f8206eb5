"""The compiled-template cache: used only in a private directory, never required."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader

from rgpd_audit.render import template_cache as cache_module
from rgpd_audit.render.html import templates_dir


def test_cache_lives_in_a_private_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache = cache_module.template_cache()
    assert cache is not None
    directory = tmp_path / "rgpd-audit" / "modeles-rapport"
    assert directory.stat().st_mode & 0o777 == 0o700
    env = Environment(loader=FileSystemLoader(templates_dir()), bytecode_cache=cache)
    env.get_template("partials/labels.html")
    assert list(directory.iterdir())


def test_no_cache_in_a_directory_others_can_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    directory = tmp_path / "rgpd-audit" / "modeles-rapport"
    directory.mkdir(parents=True)
    directory.chmod(0o777)
    assert cache_module.template_cache() is None


def test_unusable_cache_directory_means_no_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "fichier"
    blocker.write_text("pas un dossier")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert cache_module.template_cache() is None
