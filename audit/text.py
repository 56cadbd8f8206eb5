"""Text coming from outside (server replies, user files) made safe to show."""

from __future__ import annotations


def printable(text: bytes | str) -> str:
    """Decode if needed and replace control characters (terminal escapes, NUL…) by spaces."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return "".join(ch if ch.isprintable() else " " for ch in text).strip()
