"""`rgpd-audit register`: check a processing register, or write a starter one.

Only typer is imported at start-up; openpyxl, odfpy and the register code load with the
command that needs them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rgpd_audit.cli_common import OutputFormat, input_errors
from rgpd_audit.cli_french import FrenchTyper

if TYPE_CHECKING:
    from rgpd_audit.register import Validation

EXIT_FINDINGS = 1

register_app = FrenchTyper(
    help="Registre des activités de traitement (RGPD, art. 30) : vérification d'un registre "
    "(XLSX, ODS, CSV ou YAML) et registre de départ à compléter.",
    no_args_is_help=True,
)


@register_app.command()
def validate(
    file: Annotated[
        Path, typer.Argument(metavar="FICHIER", help="Registre (.xlsx, .ods, .csv ou .yaml).")
    ],
    output_format: Annotated[
        OutputFormat,
        typer.Option("--format", show_default=False, help="text (lecture, défaut) ou json."),
    ] = OutputFormat.TEXT,
) -> None:
    """Vérifie chaque traitement ; code 0 si complet, 1 s'il reste à corriger, 2 si illisible."""
    from rgpd_audit.register import load_register
    from rgpd_audit.register import validate as check_register

    with input_errors():
        found = check_register(load_register(file))
    if output_format is OutputFormat.JSON:
        typer.echo(json.dumps(_as_json(found), indent=2, ensure_ascii=False))
    else:
        typer.echo(_as_text(found))
    if not found.complete:
        raise typer.Exit(EXIT_FINDINGS)


@register_app.command()
def init(
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="FICHIER",
            help="Fichier écrit ; son extension choisit le format : .xlsx, .ods, .csv ou .yaml.",
        ),
    ],
    profile: Annotated[
        str,
        typer.Option(
            "--profile",
            metavar="PROFIL",
            show_default=False,
            help="Profil : medecin (défaut), paramedical, cabinet-groupe.",
        ),
    ] = "medecin",
    force: Annotated[bool, typer.Option("--force", help="Remplace un fichier existant.")] = False,
) -> None:
    """Écrit un registre de départ (traitements habituels d'un cabinet) à compléter."""
    from rgpd_audit.paths import output_file
    from rgpd_audit.register.writer import starter_rows, write_register

    with input_errors():
        output_file(output, "--output")
        rows = starter_rows(profile)
        write_register(rows, output, force=force)
    typer.echo(
        f"{output} : registre de départ écrit ({len(rows)} traitements, profil {profile}). "
        "Remplacez chaque « à compléter », puis vérifiez-le avec : rgpd-audit register "
        f"validate {output}"
    )


def _as_text(found: Validation) -> str:
    from rgpd_audit.text import printable

    register = found.register
    count = len(register.activities)
    if not count:
        head = f"{register.source} : le registre ne contient aucun traitement."
    elif found.complete:
        head = f"{register.source} : {count} traitement(s), registre complet."
    else:
        head = (
            f"{register.source} : {count} traitement(s), {len(found.issues)} point(s) à corriger."
        )
    lines = [printable(head)]
    by_activity: dict[int, list[str]] = {}
    for issue in found.issues:
        column = register.column_label(issue.column)
        by_activity.setdefault(issue.activity, []).append(
            "  - " + printable(f"{column} : {issue.message} [{issue.rule}]")
        )
    for index, messages in sorted(by_activity.items()):
        activity = register.activities[index]
        title = printable(f"{activity.label} — {activity.location.describe()}")
        lines += ["", title, *messages]
    if found.retention:
        lines += ["", "Durées comparées aux recommandations de la CNIL :"]
        for verdict in found.retention:
            activity = register.activities[verdict.activity]
            state = "conforme" if verdict.conforms else "à revoir"
            lines.append(
                "  - "
                + printable(
                    f"{activity.label} ({activity.location.describe()}) : "
                    f"{verdict.rule.label}, {state}"
                )
            )
    if register.ignored_columns:
        lines += ["", printable(f"Colonnes ignorées : {', '.join(register.ignored_columns)}")]
    return "\n".join(lines)


def _as_json(found: Validation) -> dict[str, object]:
    register = found.register

    def place(index: int) -> dict[str, object]:
        location = register.activities[index].location
        return {"activity": register.activities[index].label, **location.model_dump()}

    return {
        "file": register.source,
        "complete": found.complete,
        "activities": [
            {"name": a.name, "code": a.code, **a.location.model_dump()} for a in register.activities
        ],
        "issues": [
            {
                "rule": issue.rule,
                **place(issue.activity),
                "column": register.column_label(issue.column),
                "message": issue.message,
                "value": issue.value,
            }
            for issue in found.issues
        ],
        "retention": [
            {**place(v.activity), "rule": v.rule.code, "conforms": v.conforms}
            for v in found.retention
        ],
        "ignored_columns": register.ignored_columns,
    }
