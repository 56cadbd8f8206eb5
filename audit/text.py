"""Text coming from outside (server replies, user files) made safe to show."""

from __future__ import annotations


def printable(text: bytes | str) -> str:
    """Decode if needed and replace control characters (terminal escapes, NUL…) by spaces."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    # Nearly every text is printable already: one C-level scan spares the per-character
    # loop, which ran over every finding's text and evidence (tens of thousands of
    # characters per audit, a noticeable share of a batch's CPU).
    if text.isprintable():
        return text.strip()
    return "".join(ch if ch.isprintable() else " " for ch in text).strip()
