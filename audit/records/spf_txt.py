"""TXT record text as a receiver reads it (used by the SPF and DMARC walkers).

`CheckContext.lookup` returns records in presentation format (`"v=spf1 " "-all"`): a TXT
record may hold several character-strings, which SPF (RFC 7208 §3.3) and DMARC (RFC 9989)
join without any separator before parsing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)', re.DOTALL)
_ESCAPE = re.compile(rb"\\(\d{3}|.)", re.DOTALL)


class TxtFormatError(ValueError):
    """The presentation text of a TXT record cannot be decoded."""


def txt_strings(presentation: str) -> list[bytes]:
    """The character-strings of one TXT record, unescaped (`\\"`, `\\DDD`)."""
    strings = []
    position = 0
    text = presentation.strip()
    while position < len(text):
        match = _STRING.match(text, position)
        if match is None:
            raise TxtFormatError(f"texte TXT illisible : {presentation[:80]!r}")
        raw = match.group(1) if match.group(1) is not None else match.group(2)
        strings.append(_unescape(raw.encode("utf-8", "surrogateescape")))
        position = match.end()
        while position < len(text) and text[position].isspace():
            position += 1
    return strings


def txt_text(presentation: str) -> str:
    """One TXT record as a single string: its character-strings joined, bytes read as UTF-8.

    Undecodable bytes become U+FFFD: the parsers then reject the record as not ASCII
    instead of the audit crashing on it.
    """
    return b"".join(txt_strings(presentation)).decode("utf-8", "replace")


def readable_texts(answer: Iterable[str] | None) -> list[str]:
    """The TXT records of an answer as single strings, in order (`None`: no answer).

    A record whose presentation text cannot be decoded is skipped, as a receiver would.
    """
    texts = []
    for presentation in answer or ():
        try:
            texts.append(txt_text(presentation))
        except TxtFormatError:
            continue
    return texts


def _unescape(raw: bytes) -> bytes:
    def replace(match: re.Match[bytes]) -> bytes:
        token = match.group(1)
        if token.isdigit():
            value = int(token)
            if value > 255:
                raise TxtFormatError(f"échappement \\{token.decode()} hors limites")
            return bytes([value])
        return token

    return _ESCAPE.sub(replace, raw)
