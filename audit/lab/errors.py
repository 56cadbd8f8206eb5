"""Errors raised by the lab, with a French message meant for the user."""

from __future__ import annotations


class LabError(RuntimeError):
    """The lab could not start (no free port, loopback address unusable…)."""
