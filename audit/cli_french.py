"""The command line in French: typer and the click it embeds print their own words in English.

`FrenchTyper` is what every `rgpd-audit` command group is built from: `-h` works like `--help`,
the help reads « Utilisation : », « Commandes : », « [obligatoire] », and usage errors name
the placeholder the user sees (`AUDIT_JSON`), never a Python parameter name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer
import typer.core

HELP_OPTION_NAMES = ["-h", "--help"]
USAGE_PREFIX = "Utilisation : "
HELP_OPTION_TEXT = "Affiche cette aide."

# The words typer passes through gettext (typer.core) when it writes a help page or an error.
_TYPER_WORDS = {
    # French typography: a space before the colon that click adds after a section title.
    "Options": "Options ",
    "Commands": "Commandes ",
    "Arguments": "Arguments ",
    "required": "obligatoire",
    "default: {default}": "défaut : {default}",
    "env var: {var}": "variable d'environnement : {var}",
    "(dynamic)": "(calculé)",
    "Aborted!": "Interrompu.",
    "Missing command.": "commande manquante (voir --help)",
    # The unknown word is not repeated: it may be a password typed where it must not be.
    "No such command {name!r}.": "commande inconnue (voir rgpd-audit --help)",
}


def _french(message: str) -> str:
    return _TYPER_WORDS.get(message, message)


def use_french_words() -> None:
    """Route typer's gettext lookups through the French table above.

    typer.core calls its module-level `_` each time it formats help; replacing that one name
    is enough, and a typer release that drops it simply keeps its English words.
    """
    if callable(getattr(typer.core, "_", None)):
        typer.core._ = _french  # type: ignore[attr-defined]


class _FrenchHelp:
    """Usage line and help option of a command, in French (mixed into typer's classes)."""

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=USAGE_PREFIX)

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_OPTION_TEXT
        return option


class FrenchCommand(_FrenchHelp, typer.core.TyperCommand):
    """A command whose help is in French."""


class FrenchGroup(_FrenchHelp, typer.core.TyperGroup):
    """A group of commands whose help is in French."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("subcommand_metavar") is None:
            kwargs["subcommand_metavar"] = "COMMANDE [ARGUMENTS]..."
        super().__init__(*args, **kwargs)


class FrenchTyper(typer.Typer):
    """`typer.Typer` with French help, `-h`, and no shell-completion options."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", FrenchGroup)
        kwargs.setdefault("add_completion", False)
        kwargs.setdefault("rich_markup_mode", None)
        settings = dict(kwargs.pop("context_settings", None) or {})
        settings.setdefault("help_option_names", HELP_OPTION_NAMES)
        super().__init__(context_settings=settings, **kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
        kwargs.setdefault("cls", FrenchCommand)
        return super().command(*args, **kwargs)


def usage_message(exc: Exception) -> str:
    """French wording of a command-line parsing error (click's messages are in English)."""
    kind = type(exc).__name__
    param = getattr(exc, "param", None)
    if kind == "MissingParameter":
        if getattr(param, "param_type_name", "") == "argument":
            return f"argument manquant : {_param_label(param)} (voir --help)"
        return f"option obligatoire manquante : {_param_label(param)} (voir --help)"
    if kind == "NoSuchOption":
        return f"option inconnue : {getattr(exc, 'option_name', '')} (voir --help)"
    if kind == "BadParameter":
        return f"valeur invalide pour {_param_label(param)} (voir --help)"
    if kind == "BadOptionUsage":
        option = getattr(exc, "option_name", "")
        if "does not take a value" in str(getattr(exc, "message", "")):
            return f"l'option {option} ne prend pas de valeur (voir --help)"
        return f"l'option {option} attend une valeur (voir --help)"
    text = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    if text.startswith("Got unexpected extra argument"):
        return "argument en trop : les options s'écrivent --nom valeur (voir --help)"
    if text in _TYPER_WORDS.values() or text.startswith("commande inconnue"):
        return text
    return f"ligne de commande invalide ({text})"


def _param_label(param: Any) -> str:
    """How the user knows a parameter: `--domain` for an option, `AUDIT_JSON` for an argument."""
    if param is None:
        return "un paramètre"
    if getattr(param, "param_type_name", "") == "argument":
        return str(param.metavar or (param.name or "").upper())
    return " / ".join(param.opts) if param.opts else str(param.name)
