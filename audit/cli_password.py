"""`rgpd-audit password`: test one password, typed hidden or read from a pipe.

The password is never accepted as an argument or an environment variable, never printed,
logged or written: only its derived result (label, score, estimate, CNIL verdict, French
advice) is shown. Only typer is imported at start-up.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rgpd_audit.cli_common import OutputFormat, fail, input_errors
from rgpd_audit.cli_french import FrenchTyper

if TYPE_CHECKING:
    from rgpd_audit.password.results import Assessment

EXIT_NOT_COMPLIANT = 1

password_app = FrenchTyper(
    help="Teste la robustesse d'un mot de passe (saisi sans affichage) selon la CNIL.",
)


class Protection(StrEnum):
    """CNIL 2022-100 case of the account the password protects."""

    SEUL = "seul"
    ESSAIS_LIMITES = "essais_limites"
    CODE_APPAREIL = "code_appareil"


@password_app.callback(invoke_without_command=True)
def password(
    label: Annotated[
        str,
        typer.Option("--label", metavar="NOM", help="Compte concerné (ex. « Messagerie »)."),
    ] = "Mot de passe",
    output_format: Annotated[
        OutputFormat,
        typer.Option("--format", show_default=False, help="text (défaut) ou json."),
    ] = OutputFormat.TEXT,
    from_stdin: Annotated[
        bool,
        typer.Option(
            "--stdin",
            help="Lit le mot de passe sur la première ligne de l'entrée standard (tube, "
            "gestionnaire de mots de passe) au lieu d'une saisie masquée.",
        ),
    ] = False,
    protection: Annotated[
        Protection,
        typer.Option(
            "--protection",
            show_default=False,
            help="Cas CNIL du compte : seul (défaut, 80 bits), essais_limites (blocage ou "
            "délai après quelques échecs, 50 bits), code_appareil (code d'un dispositif qui "
            "se bloque, 13 bits).",
        ),
    ] = Protection.SEUL,
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            metavar="FICHIER",
            help="Fichier de réponses : le nom du cabinet, la ville et les praticiens sont "
            "cherchés dans le mot de passe.",
        ),
    ] = None,
    domain: Annotated[
        str | None,
        typer.Option("--domain", metavar="DOMAINE", help="Domaine du cabinet, cherché aussi."),
    ] = None,
    answers_out: Annotated[
        Path | None,
        typer.Option(
            "--answers-out",
            metavar="FICHIER",
            help="Ajoute le résultat (jamais le mot de passe) à ce fichier de réponses, qui "
            "doit exister ; un résultat de même libellé est remplacé. Le rapport de "
            "« rgpd-audit run --answers FICHIER » en fait un constat.",
        ),
    ] = None,
) -> None:
    """Évalue un mot de passe (zxcvbn et liste française) et donne le verdict CNIL 2022-100."""
    from rgpd_audit.text import printable

    # The label is echoed in the verdict: no terminal escape sequence gets through.
    label = printable(label)
    if not 1 <= len(label) <= 80:
        fail("--label : de 1 à 80 caractères")
    if answers_out is not None:
        from rgpd_audit.paths import input_file, output_file

        # Before the password is typed: a read-only file must not be replaced afterwards.
        with input_errors():
            input_file(answers_out, "--answers-out")
            output_file(answers_out, "--answers-out")
    words = _practice_words(answers or answers_out, domain)
    secret = _read_secret(from_stdin)
    from rgpd_audit.password.cnil import judge
    from rgpd_audit.password.strength import assess

    result = assess(secret, label=label, case=protection.value, user_inputs=words)
    del secret
    verdict = judge(result)
    if output_format is OutputFormat.JSON:
        payload = {**result.model_dump(mode="json"), "cnil": verdict.model_dump(mode="json")}
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        from rgpd_audit.password.text import describe

        typer.echo(describe(result, verdict))
    if answers_out is not None:
        _save(answers_out, result)
    if not verdict.compliant:
        raise typer.Exit(EXIT_NOT_COMPLIANT)


def _practice_words(answers: Path | None, domain: str | None) -> list[str]:
    from rgpd_audit.errors import InputError
    from rgpd_audit.password.practice import practice_words

    if answers is None:
        return practice_words({}, None, domain)
    from rgpd_audit.questionnaire import load_answers, load_questionnaire

    try:
        loaded = load_answers(answers, load_questionnaire())
    except InputError as exc:
        fail(str(exc))
    return practice_words(loaded.values, loaded.meta.practice_name, domain)


def _save(path: Path, result: Assessment) -> None:
    from rgpd_audit.errors import InputError
    from rgpd_audit.questionnaire.password_tests import add_result

    try:
        add_result(path, result)
    except InputError as exc:
        fail(str(exc))
    except OSError as exc:
        from rgpd_audit.paths import os_error_text

        fail(f"impossible d'écrire {path} : {os_error_text(exc)}")
    typer.echo(f"Résultat enregistré dans {path} (clé password_tests).", err=True)


def _read_secret(from_stdin: bool) -> str:
    if from_stdin:
        if sys.stdin.isatty():
            fail("--stdin lit un tube ; dans un terminal, omettez --stdin pour une saisie masquée")
        try:
            secret = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
        except UnicodeDecodeError:
            # The message must not quote the bytes read: they are the password.
            fail("le mot de passe lu sur l'entrée standard n'est pas un texte valide (UTF-8)")
    else:
        if not sys.stdin.isatty():
            fail(
                "pas de terminal pour une saisie masquée : pour lire le mot de passe depuis un "
                "tube, ajoutez --stdin (il n'est jamais accepté en argument)"
            )
        import getpass

        try:
            secret = getpass.getpass("Mot de passe (il ne s'affiche pas pendant la saisie) : ")
        except EOFError:
            fail("saisie interrompue : aucun mot de passe lu")
    if not secret:
        fail("mot de passe vide")
    return secret
