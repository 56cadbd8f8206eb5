"""What every `rgpd-audit` command shares: the input-error exit code, the output formats and
the one-line French error message.

Only typer is imported at start-up, so that `--help` of any command stays instant.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import NoReturn

import typer

EXIT_INPUT = 2
#: The network or the DNS resolver is unusable, or no check at all could be evaluated.
EXIT_NETWORK = 3
#: The history database is unreachable or unusable (the audit's files are written all the same).
EXIT_HISTORY = 4


class OutputFormat(StrEnum):
    """Output formats of the commands that can also answer in JSON."""

    TEXT = "text"
    JSON = "json"


def hide_third_party_warnings() -> None:
    """Keep the libraries' own warnings (English, about their internals) away from the user.

    Only warnings attributed to a module outside `rgpd_audit` are dropped: a deprecation our
    own code triggers is still shown, and the test suite turns it into an error.
    """
    import warnings

    warnings.filterwarnings("ignore", module=r"(?!rgpd_audit(\.|$))")


def fail(message: str, code: int = EXIT_INPUT) -> NoReturn:
    """Print `Erreur : message` on stderr and exit with `code` (2: bad input)."""
    from rgpd_audit.text import printable

    # Messages may quote the user's files: no terminal escape sequence gets through.
    typer.echo(f"Erreur : {printable(message)}", err=True)
    raise typer.Exit(code)


@contextmanager
def input_errors() -> Iterator[None]:
    """Turn `InputError` into a one-line French message and exit code 2 (3 for the network)."""
    from rgpd_audit.errors import InputError, NetworkUnusable

    try:
        yield
    except InputError as exc:
        fail(str(exc))
    except NetworkUnusable as exc:
        fail(str(exc), EXIT_NETWORK)
    except OSError as exc:
        # Any file problem not caught closer to its cause: still one French line, exit 2.
        from rgpd_audit.paths import os_error_text

        where = f"{exc.filename} : " if exc.filename else ""
        fail(f"{where}{os_error_text(exc)}")
