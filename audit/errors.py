"""Exceptions that carry a French message meant for the user, and the reasons of a check that
could not conclude.

The bottom layer: it imports nothing of the tool, so that every module (models, file readers,
checks) can raise these without an import cycle.
"""

from __future__ import annotations

from typing import Literal

#: Why a finding is indeterminate (`ErrorInfo.reason`, `CheckError.reason`).
ErrorReason = Literal[
    "timeout",
    "dns",
    "connection",
    "tls",
    "smtp",
    "blocked",
    "unanswered",
    "bug",
    "interrupted",
    # A fact the tool found but cannot confirm alone (vendor claim, uncertain name match).
    "unverified",
    # A loopback, private or other non-global address, never contacted (net.addresses).
    "private_address",
    # Beyond the tool's caps on MX hosts, addresses or SRV endpoints: not tested.
    "limit",
]


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
