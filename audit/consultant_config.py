"""The consultant's configuration file: firm, consultant, logo, accent colour, defaults.

A commented TOML file in the user configuration directory (`rgpd-audit config init` writes
it), or the file given with `--config`. Every problem names the file, the line and the key, in
French: the file is edited by hand by people who do not program.

The logo is read here, once, from a local file (PNG, JPEG or SVG, size-capped) and kept as a
`data:` URL: the report never fetches anything, locally or remotely, at render time.
"""

from __future__ import annotations

import base64
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rgpd_audit.errors import InputError
from rgpd_audit.files import ensure_private_dir, write_private
from rgpd_audit.models import Consultant

APP_NAME = "rgpd-audit"
CONFIG_NAME = "config.toml"
CONFIG_MAX_BYTES = 64 * 1024
# A logo on a cover page; a bigger file is a photo or the wrong file.
LOGO_MAX_BYTES = 512 * 1024
_LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
_LOGO_TYPES[".svg"] = "image/svg+xml"
_MAGIC = {"image/png": (b"\x89PNG\r\n\x1a\n",), "image/jpeg": (b"\xff\xd8\xff",)}

TEMPLATE = """\
# Configuration de rgpd-audit : identité du cabinet de conseil, imprimée sur la couverture et
# dans le bloc de signature des rapports. Toutes les lignes sont facultatives ; une ligne
# commencée par « # » est ignorée. Les textes s'écrivent entre guillemets droits.

[consultant]
# Nom du cabinet de conseil (ou de votre structure).
# firm = "Conseil RGPD Santé"
# Votre nom, tel qu'il doit apparaître dans le bloc de signature.
# name = "Marie Martin"
# Votre fonction.
# role = "Consultante RGPD, DPO externe"
# Adresse électronique ou téléphone, imprimés sous votre nom.
# contact = "marie.martin@conseil-rgpd.fr · 01 23 45 67 89"
# Logo : fichier local PNG, JPEG ou SVG de 512 Kio au plus (chemin absolu, ou relatif à ce
# fichier). Il est copié dans le rapport ; rien n'est jamais téléchargé.
# logo = "logo.png"
# Couleur principale du rapport, au format #rrggbb.
# accent_color = "#1b2a4a"

[defaults]
# Profil du cabinet audité quand --profile n'est pas donné : medecin, paramedical,
# cabinet-groupe, telesecretariat.
# profile = "medecin"
# Dossier où ranger les audits quand --output n'est pas donné (un sous-dossier par audit).
# output_dir = "~/audits-rgpd"
# Historique des audits partagé par le cabinet de conseil (PostgreSQL) quand --db n'est pas
# donné ; sans cette ligne, une base SQLite personnelle dans votre dossier de données.
# db = "postgresql://consultant@serveur/rgpd_audit"
"""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ConsultantSection(_Strict):
    """[consultant]"""

    firm: str | None = Field(None, min_length=1, max_length=200)
    name: str | None = Field(None, min_length=1, max_length=200)
    role: str | None = Field(None, min_length=1, max_length=200)
    contact: str | None = Field(None, min_length=1, max_length=300)
    logo: str | None = Field(None, min_length=1)
    accent_color: str | None = Field(None, pattern=r"^#[0-9a-fA-F]{6}$")


class DefaultsSection(_Strict):
    """[defaults]"""

    profile: str | None = Field(None, min_length=1)
    output_dir: str | None = Field(None, min_length=1)
    db: str | None = Field(None, min_length=1)


class ConfigFile(_Strict):
    """The whole file."""

    consultant: ConsultantSection = ConsultantSection()
    defaults: DefaultsSection = DefaultsSection()


@dataclass(frozen=True)
class LoadedConfig:
    """What the commands use from the configuration."""

    consultant: Consultant | None = None
    profile: str | None = None
    output_dir: Path | None = None
    db: str | None = None
    source: Path | None = None


def default_config_path() -> Path:
    """`config.toml` in the user configuration directory of this platform."""
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False)) / CONFIG_NAME


def _key_line(text: str, loc: tuple[str | int, ...]) -> int | None:
    """Line of the key at `loc` (`("consultant", "logo")`), found in `text`.

    tomllib gives no positions once the file is parsed: the key is looked up under its
    table header, which is how these files are written.
    """
    if not loc:
        return None
    table, key = (loc[0], loc[1]) if len(loc) > 1 else (None, loc[0])
    current: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.match(r"^\[\s*([A-Za-z0-9_-]+)\s*\]", stripped)
        if header:
            current = header.group(1)
            if table is None and current == key:
                return number
            continue
        if re.match(rf"^{re.escape(str(key))}\s*=", stripped) and current == table:
            return number
        if table is not None and re.match(rf"^{re.escape(str(table))}\.{key}\s*=", stripped):
            return number
    if table is not None:
        return _key_line(text, (table,))
    return None


def _schema_error(path: Path, text: str, exc: ValidationError) -> InputError:
    from rgpd_audit.yaml_source import french_error

    error = exc.errors()[0]
    loc = tuple(part for part in error["loc"] if isinstance(part, str | int))
    line = _key_line(text, loc)
    where = f"{path}, ligne {line}" if line else str(path)
    key = ".".join(str(p) for p in loc) or "document"
    return InputError(f"{where}, clé {key} : {french_error(error)}")


def _logo_data_url(value: str, config_path: Path, text: str) -> str:
    where = _key_line(text, ("consultant", "logo"))
    prefix = f"{config_path}, ligne {where}, clé consultant.logo" if where else str(config_path)
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", value):
        raise InputError(f"{prefix} : fichier local attendu, jamais une adresse réseau")
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = config_path.parent / path
    mime = _LOGO_TYPES.get(path.suffix.lower())
    if mime is None:
        raise InputError(f"{prefix} : logo PNG, JPEG ou SVG attendu ({path.name})")
    from rgpd_audit.yaml_source import read_bytes

    try:
        data = read_bytes(path, str(path), kind="logo", max_bytes=LOGO_MAX_BYTES)
    except InputError as exc:
        raise InputError(f"{prefix} : {exc}") from None
    if mime == "image/svg+xml":
        if b"<svg" not in data[:4096]:
            raise InputError(f"{prefix} : {path.name} n'est pas une image SVG")
    elif not data.startswith(_MAGIC[mime]):
        raise InputError(f"{prefix} : {path.name} n'est pas une image {path.suffix[1:].upper()}")
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def load_config(path: Path | None = None) -> LoadedConfig:
    """Read `path` (`--config`), else the user's file if it exists, else nothing.

    An explicit file must exist; errors name the file, the line and the key.
    """
    explicit = path is not None
    path = path or default_config_path()
    if not explicit and not path.exists():
        return LoadedConfig()
    from rgpd_audit.yaml_source import read_text

    text = read_text(path, str(path), kind="fichier de configuration", max_bytes=CONFIG_MAX_BYTES)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        where = f"{path}, ligne {match.group(1)}" if match else str(path)
        raise InputError(f"{where} : syntaxe TOML invalide ({reason})") from None
    try:
        parsed = ConfigFile.model_validate(raw)
    except ValidationError as exc:
        raise _schema_error(path, text, exc) from None
    section = parsed.consultant
    logo = _logo_data_url(section.logo, path, text) if section.logo else None
    fields = section.model_dump(exclude={"logo"})
    consultant = Consultant(**fields, logo=logo) if any(fields.values()) or logo else None
    output_dir = parsed.defaults.output_dir
    return LoadedConfig(
        consultant=consultant,
        profile=parsed.defaults.profile,
        output_dir=Path(output_dir).expanduser() if output_dir else None,
        db=parsed.defaults.db,
        source=path,
    )


def write_template(path: Path, *, force: bool = False) -> None:
    """Write the commented template at `path` (refused if it exists, unless `force`)."""
    if path.exists() and not force:
        raise InputError(f"{path} existe déjà (--force pour le remplacer)")
    ensure_private_dir(path.parent)
    write_private(path, TEMPLATE.encode("utf-8"))
