"""The one error of the history: the database cannot be used (unreachable, not migrated…)."""

from __future__ import annotations


class HistoryUnavailable(Exception):
    """The history database cannot be read or written; the message is French, one line,
    and never carries a password."""
