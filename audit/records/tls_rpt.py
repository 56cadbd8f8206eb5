"""TLS-RPT (RFC 8460 §3): the `_smtp._tls` TXT record, parsed without any network."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

_EXT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
_EXT_VALUE = re.compile(r"^[\x21-\x3a\x3c\x3e-\x7e]+$")
_MAILBOX = re.compile(r"^[^@\s]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,63}$")
_HOST = re.compile(r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,63}$")


class TlsRptError(ValueError):
    """A TLS-RPT record that senders would ignore; the message says why, in French."""


@dataclass(frozen=True)
class ReportDestination:
    """One `rua` URI: a mailbox (`mailto`) or an HTTPS endpoint, with its host domain."""

    uri: str
    scheme: str
    domain: str


@dataclass(frozen=True)
class TlsRptRecord:
    """The report destinations of a `v=TLSRPTv1; rua=…` record."""

    destinations: tuple[ReportDestination, ...]
    extensions: dict[str, str]


def is_tls_rpt_record(text: str) -> bool:
    """Whether a TXT value is a TLS-RPT record (others at `_smtp._tls` are ignored)."""
    return text.startswith("v=TLSRPTv1")


def parse_tls_rpt(text: str) -> TlsRptRecord:
    """Parse `v=TLSRPTv1; rua=mailto:…,https://…` (RFC 8460 §3)."""
    fields = [field.strip(" \t") for field in text.split(";")]
    if fields and fields[-1] == "":
        fields.pop()
    if not fields or fields[0] != "v=TLSRPTv1":
        raise TlsRptError("l'enregistrement doit commencer par « v=TLSRPTv1; »")
    rua: str | None = None
    extensions: dict[str, str] = {}
    for field in fields[1:]:
        name, sep, value = field.partition("=")
        if name == "rua" and sep:
            if rua is not None:
                raise TlsRptError("champ rua= présent deux fois")
            rua = value
        elif sep and _EXT_NAME.match(name) and _EXT_VALUE.match(value):
            extensions[name] = value
        else:
            raise TlsRptError(f"champ « {field[:40]} » mal formé")
    if rua is None:
        raise TlsRptError("champ rua= (destination des rapports) absent")
    destinations = tuple(_destination(uri.strip(" \t")) for uri in rua.split(","))
    return TlsRptRecord(destinations, extensions)


def _destination(uri: str) -> ReportDestination:
    try:
        parts = urlsplit(uri)
    except ValueError:
        raise TlsRptError(f"destination « {uri[:60]} » illisible") from None
    scheme = parts.scheme.lower()
    if scheme == "mailto":
        mailbox = unquote(parts.path)
        if not _MAILBOX.match(mailbox):
            raise TlsRptError(f"adresse de rapport « {uri[:60]} » invalide")
        return ReportDestination(uri, scheme, mailbox.rpartition("@")[2].lower())
    if scheme == "https":
        host = parts.hostname or ""
        if not _HOST.match(host):
            raise TlsRptError(f"URL de rapport « {uri[:60]} » sans nom d'hôte valide")
        return ReportDestination(uri, scheme, host.lower())
    raise TlsRptError(f"destination « {uri[:60]} » : mailto: ou https: attendu (RFC 8460 §3)")
