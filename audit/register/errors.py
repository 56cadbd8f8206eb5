"""The register reader's own error."""

from __future__ import annotations

from rgpd_audit.errors import InputError


class RegisterError(InputError):
    """The file cannot be read as a register; the message names file, sheet, row and column.

    An `InputError`, so that every command turns it into one French line and exit code 2.
    """
