"""The consultant's TOML configuration: template, validation with file/line/key, logo."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rgpd_audit.cli import app
from rgpd_audit.consultant_config import (
    LOGO_MAX_BYTES,
    TEMPLATE,
    default_config_path,
    load_config,
    write_template,
)
from rgpd_audit.errors import InputError

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_template_is_valid_and_empty(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "config.toml"
    write_template(path)
    assert path.read_text(encoding="utf-8") == TEMPLATE
    assert (path.stat().st_mode & 0o777) == 0o600
    loaded = load_config(path)
    assert loaded.consultant is None and loaded.profile is None and loaded.source == path
    with pytest.raises(InputError, match="existe déjà"):
        write_template(path)
    write_template(path, force=True)


def test_full_configuration_with_a_logo(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(PNG)
    path = _config(
        tmp_path,
        '[consultant]\nfirm = "Conseil & Associés"\nname = "Marie Martin"\n'
        'logo = "logo.png"\naccent_color = "#0B6E4F"\n\n'
        '[defaults]\nprofile = "medecin"\noutput_dir = "~/audits"\n',
    )
    loaded = load_config(path)
    assert loaded.consultant is not None
    assert loaded.consultant.firm == "Conseil & Associés"
    assert loaded.consultant.logo == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert loaded.profile == "medecin"
    assert loaded.output_dir == Path("~/audits").expanduser()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[consultant]\nname = "Marie\n', r"config\.toml, ligne 2 : syntaxe TOML invalide"),
        (
            '[consultant]\nfirm = "X"\n\naccent_color = "vert"\n',
            r"config\.toml, ligne 4, clé consultant\.accent_color : format « vert »",
        ),
        (
            '[consultant]\nfirm = "X"\ncolour = "#000000"\n',
            r"config\.toml, ligne 3, clé consultant\.colour : champ inconnu",
        ),
        ("[defaults]\nprofile = 3\n", r"ligne 2, clé defaults\.profile : texte attendu"),
        (
            '[consultant]\nlogo = "https://example.org/logo.png"\n',
            r"ligne 2, clé consultant\.logo : fichier local attendu",
        ),
        ('[consultant]\nlogo = "logo.gif"\n', r"ligne 2, clé consultant\.logo : logo PNG, JPEG"),
        ('[consultant]\nlogo = "faux.png"\n', r"faux\.png n'est pas une image PNG"),
        ('[consultant]\nlogo = "absent.svg"\n', r"ligne 2, clé consultant\.logo : .*introuvable"),
    ],
)
def test_errors_name_file_line_and_key(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / "faux.png").write_bytes(b"GIF89a")
    with pytest.raises(InputError, match=message):
        load_config(_config(tmp_path, body))


def test_logo_is_size_capped(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(PNG + b"\x00" * LOGO_MAX_BYTES)
    with pytest.raises(InputError, match="logo"):
        load_config(_config(tmp_path, '[consultant]\nlogo = "logo.png"\n'))


def test_missing_default_file_is_no_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert default_config_path() == tmp_path / "rgpd-audit" / "config.toml"
    assert load_config().consultant is None
    with pytest.raises(InputError):
        load_config(tmp_path / "absent.toml")


def test_config_init_and_show_commands(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    runner = CliRunner()
    done = runner.invoke(app, ["config", "init", "--config", str(path)])
    assert done.exit_code == 0, done.output
    assert path.exists()
    again = runner.invoke(app, ["config", "init", "--config", str(path)])
    assert again.exit_code == 2
    path.write_text('[consultant]\nfirm = "Conseil RGPD"\n', encoding="utf-8")
    shown = runner.invoke(app, ["config", "show", "--config", str(path)])
    assert shown.exit_code == 0 and "Conseil RGPD" in shown.output
    path.write_text('[consultant]\naccent_color = "rouge"\n', encoding="utf-8")
    bad = runner.invoke(app, ["config", "show", "--config", str(path)])
    assert bad.exit_code == 2
