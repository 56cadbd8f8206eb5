"""MTA-STS (RFC 8461): the `_mta-sts` TXT record and the policy file, parsed without network."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

#: Largest `max_age` allowed by RFC 8461 §3.2 (about one year, in seconds).
MAX_AGE_LIMIT = 31_557_600

_STS_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")
_EXT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
_EXT_VALUE = re.compile(r"^[\x21-\x3a\x3c\x3e-\x7e]+$")
_POLICY_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_SINGLE_FIELDS = ("version", "mode", "max_age")

Mode = Literal["enforce", "testing", "none"]


class MtaStsError(ValueError):
    """An MTA-STS record or policy that senders would reject; the message says why."""


@dataclass(frozen=True)
class StsRecord:
    """The `_mta-sts.<domain>` TXT record: the policy id and any extension fields."""

    policy_id: str
    extensions: dict[str, str]


@dataclass(frozen=True)
class StsPolicy:
    """The policy file served at `https://mta-sts.<domain>/.well-known/mta-sts.txt`.

    `line_endings` records what the file used (CRLF, LF or both), which RFC 8461 allows
    but which some senders handle badly when mixed.
    """

    version: str
    mode: Mode
    max_age: int
    mx: tuple[str, ...]
    line_endings: Literal["CRLF", "LF", "mixte", "aucune"]


def is_sts_record(text: str) -> bool:
    """Whether a TXT value is an MTA-STS record at all (others are discarded, §3.1)."""
    return text.startswith("v=STSv1")


def parse_sts_record(text: str) -> StsRecord:
    """Parse `v=STSv1; id=…;` (RFC 8461 §3.1)."""
    fields = [field.strip(" \t") for field in text.split(";")]
    if fields and fields[-1] == "":
        fields.pop()
    if not fields or fields[0] != "v=STSv1":
        raise MtaStsError("l'enregistrement doit commencer par « v=STSv1; »")
    policy_id: str | None = None
    extensions: dict[str, str] = {}
    for field in fields[1:]:
        name, sep, value = field.partition("=")
        if name == "id" and sep:
            if policy_id is not None:
                raise MtaStsError("identifiant id= présent deux fois")
            if not _STS_ID.match(value):
                raise MtaStsError(f"id « {value[:40]} » : 1 à 32 lettres ou chiffres attendus")
            policy_id = value
        elif sep and _EXT_NAME.match(name) and _EXT_VALUE.match(value):
            extensions[name] = value
        else:
            raise MtaStsError(f"champ « {field[:40]} » mal formé")
    if policy_id is None:
        raise MtaStsError("identifiant de politique id= absent")
    return StsRecord(policy_id, extensions)


def parse_sts_policy(text: str) -> StsPolicy:
    """Parse a policy file (RFC 8461 §3.2); `MtaStsError` names the first problem found."""
    endings = _line_endings(text)
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    values: dict[str, str] = {}
    mx: list[str] = []
    for number, line in enumerate(lines, start=1):
        key, sep, value = line.partition(":")
        value = value.strip(" \t")
        if not sep or not _POLICY_KEY.match(key) or "\r" in line:
            raise MtaStsError(f"ligne {number} « {line[:40]} » : « clé: valeur » attendu")
        if key == "mx":
            mx.append(_mx_pattern(value, number))
        elif key in _SINGLE_FIELDS:
            if key in values:
                raise MtaStsError(f"champ « {key} » présent deux fois (ligne {number})")
            values[key] = value
    for key in _SINGLE_FIELDS:
        if key not in values:
            raise MtaStsError(f"champ « {key} » absent")
    if values["version"] != "STSv1":
        raise MtaStsError(f"version « {values['version'][:20]} » : STSv1 attendu")
    mode = values["mode"]
    if mode not in ("enforce", "testing", "none"):
        raise MtaStsError(f"mode « {mode[:20]} » : enforce, testing ou none attendu")
    max_age = _max_age(values["max_age"])
    if mode != "none" and not mx:
        raise MtaStsError("aucun champ mx : la politique ne désigne aucun serveur")
    return StsPolicy("STSv1", mode, max_age, tuple(mx), endings)  # type: ignore[arg-type]


def mx_matches(pattern: str, host: str) -> bool:
    """Whether an MX host name is covered by a policy `mx` pattern (RFC 8461 §4.1).

    A wildcard `*.example.fr` covers exactly one extra label on the left: `mx.example.fr`
    but neither `example.fr` nor `a.mx.example.fr`.
    """
    pattern = pattern.lower().rstrip(".")
    host = host.lower().rstrip(".")
    if pattern.startswith("*."):
        head, dot, rest = host.partition(".")
        return bool(head) and bool(dot) and rest == pattern[2:]
    return host == pattern


def _mx_pattern(value: str, number: int) -> str:
    name = value.lower().rstrip(".")
    labels = name[2:].split(".") if name.startswith("*.") else name.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise MtaStsError(f"ligne {number} : mx « {value[:60]} » n'est pas un nom de serveur")
    return name


def _max_age(value: str) -> int:
    if not value.isascii() or not value.isdigit() or len(value) > 10:
        raise MtaStsError(f"max_age « {value[:20]} » : nombre de secondes attendu")
    seconds = int(value)
    if seconds > MAX_AGE_LIMIT:
        raise MtaStsError(f"max_age {seconds} dépasse le maximum de {MAX_AGE_LIMIT} secondes")
    return seconds


def _line_endings(text: str) -> Literal["CRLF", "LF", "mixte", "aucune"]:
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    if crlf and lf:
        return "mixte"
    if crlf:
        return "CRLF"
    return "LF" if lf else "aucune"
