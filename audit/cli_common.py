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


class OutputFormat(StrEnum):
    """Output formats of the commands that can also answer in JSON."""

    TEXT = "text"
    JSON = "json"


def fail(message: str) -> NoReturn:
    """Print `Erreur : message` on stderr and exit with code 2."""
    from rgpd_audit.text import printable

    # Messages may quote the user's files: no terminal escape sequence gets through.
    typer.echo(f"Erreur : {printable(message)}", err=True)
    raise typer.Exit(EXIT_INPUT)


@contextmanager
def input_errors() -> Iterator[None]:
    """Turn `InputError` into a one-line French message and exit code 2."""
    from rgpd_audit.errors import InputError

    try:
        yield
    except InputError as exc:
        fail(str(exc))
