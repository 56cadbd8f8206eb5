"""The command line speaks French, from the help pages to the parser's own errors."""

import json
import subprocess
from collections.abc import Callable

import pytest

CliRun = Callable[..., subprocess.CompletedProcess[str]]

ENGLISH = ("Usage:", "Options:", "Commands:", "Show this message", "[required]", "[default:")
GROUPS = ([], ["checks"], ["questionnaire"], ["hds"], ["register"], ["password"])
COMMANDS = (
    ["run"],
    ["demo"],
    ["render"],
    ["schema"],
    ["checks", "list"],
    ["questionnaire", "show"],
    ["hds", "update"],
    ["register", "init"],
)


@pytest.mark.parametrize("args", [*GROUPS, *COMMANDS], ids=lambda a: " ".join(a) or "racine")
def test_every_help_page_is_in_french_and_h_is_help(args: list[str], cli: CliRun) -> None:
    long_help = cli(*args, "--help")
    short_help = cli(*args, "-h")
    assert long_help.returncode == 0, long_help.stderr
    assert short_help.stdout == long_help.stdout
    assert long_help.stdout.startswith("Utilisation : rgpd-audit")
    assert "Affiche cette aide." in long_help.stdout
    for word in ENGLISH:
        assert word not in long_help.stdout


def test_required_options_are_marked_in_french(cli: CliRun) -> None:
    assert "[obligatoire]" in cli("run", "--help").stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["render"], "Erreur : argument manquant : AUDIT (voir --help)\n"),
        (["run"], "Erreur : option obligatoire manquante : --domain / -d (voir --help)\n"),
        (["run", "--domain"], "Erreur : l'option --domain attend une valeur (voir --help)\n"),
        (["run", "--quiet=oui", "-d", "x.fr"], "Erreur : l'option --quiet ne prend pas de"),
        (["inconnue"], "Erreur : commande inconnue (voir rgpd-audit --help)\n"),
        (["checks", "list", "--format", "xml"], "Erreur : valeur invalide pour --format"),
    ],
)
def test_usage_errors_name_what_the_user_typed(args: list[str], expected: str, cli: CliRun) -> None:
    done = cli(*args)
    assert done.returncode == 2
    assert done.stderr.startswith(expected)
    assert done.stderr.count("\n") == 1, done.stderr


def _parameter_names(stderr: str) -> bool:
    return any(name in stderr for name in ("audit_file", "output_format", " name"))


def test_no_python_parameter_name_leaks(cli: CliRun) -> None:
    assert not _parameter_names(cli("render").stderr)


def test_checks_list_speaks_like_the_report(cli: CliRun) -> None:
    text = cli("checks", "list").stdout
    line = next(row for row in text.splitlines() if "hosting.hds.certified" in row)
    assert "ÉLEVÉE" in line and "Sous-traitants et contrats" in line
    assert " high " not in text and "sous_traitance" not in text
    as_format = json.loads(cli("checks", "list", "--format", "json").stdout)
    as_alias = json.loads(cli("checks", "list", "--json").stdout)
    assert as_format == as_alias
    assert {c["severity"] for c in as_format} <= {"info", "low", "medium", "high", "critical"}


def test_help_stays_free_of_warnings(cli: CliRun) -> None:
    done = cli("--help")
    assert done.returncode == 0 and done.stderr == ""
