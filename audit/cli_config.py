"""`rgpd-audit config`: the consultant's configuration file (firm, logo, defaults).

Only typer is imported at start-up; the TOML reader and platformdirs load inside commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rgpd_audit.cli_common import input_errors
from rgpd_audit.cli_french import FrenchTyper

config_app = FrenchTyper(
    help="Identité du cabinet de conseil imprimée sur les rapports (nom, logo, couleur).",
    no_args_is_help=True,
)

ConfigFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="FICHIER",
        help="Fichier de configuration (défaut : celui du dossier de configuration de "
        "l'utilisateur, s'il existe).",
    ),
]


@config_app.command("init")
def config_init(
    path: ConfigFileOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Remplace un fichier existant.")] = False,
) -> None:
    """Écrit un fichier de configuration commenté, à compléter."""
    with input_errors():
        from rgpd_audit.consultant_config import default_config_path, write_template

        target = path or default_config_path()
        write_template(target, force=force)
    typer.echo(f"Configuration écrite : {target}")
    typer.echo("Complétez-la (nom du cabinet, logo…) ; « rgpd-audit config show » la vérifie.")


@config_app.command("show")
def config_show(path: ConfigFileOpt = None) -> None:
    """Vérifie le fichier de configuration et affiche ce que les rapports en retiendront."""
    with input_errors():
        from rgpd_audit.consultant_config import default_config_path, load_config

        loaded = load_config(path)
    if loaded.source is None:
        typer.echo(f"Aucun fichier de configuration ({default_config_path()}).")
        typer.echo("« rgpd-audit config init » en crée un modèle commenté.")
        return
    typer.echo(f"Fichier : {loaded.source}")
    consultant = loaded.consultant
    rows = [
        ("Cabinet de conseil", consultant.firm if consultant else None),
        ("Consultant", consultant.name if consultant else None),
        ("Fonction", consultant.role if consultant else None),
        ("Contact", consultant.contact if consultant else None),
        ("Logo", "oui" if consultant and consultant.logo else None),
        ("Couleur", consultant.accent_color if consultant else None),
        ("Profil par défaut", loaded.profile),
        ("Dossier des audits", str(loaded.output_dir) if loaded.output_dir else None),
    ]
    from rgpd_audit.text import printable

    for label, value in rows:
        # The file is typed by hand: no terminal escape sequence from it reaches the screen.
        typer.echo(f"  {label:20} {printable(value) if value else '—'}")
