"""Exceptions that carry a French message meant for the user."""

from __future__ import annotations

from rgpd_audit.models import ErrorReason


class InputError(Exception):
    """Bad input from the user (domain, file, option): exit code 2, one-line message."""


class ContentError(InputError):
    """A YAML content file (questionnaire, answers, sidecar) does not match its schema."""


class NetworkUnusable(Exception):
    """The network or the DNS resolver cannot support an audit at all: exit code 3.

    Raised before any check, so that a dead resolver is never mistaken for a typo in the
    domain, nor an audit where nothing could be evaluated for a finished one.
    """


class CheckError(Exception):
    """A check could not reach a verdict; becomes an `indeterminate` finding with `reason`."""

    def __init__(self, reason: ErrorReason, message: str) -> None:
        super().__init__(message)
        self.reason: ErrorReason = reason
        self.message = message
