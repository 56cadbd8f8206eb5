"""Run settings and validation of what the user types on the command line."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import idna

from rgpd_audit.errors import InputError
from rgpd_audit.paths import input_file

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_BROADCAST = ipaddress.IPv4Address("255.255.255.255")

#: Standard ports of the services the checks reach; `--port SERVICE=PORT` overrides one
#: (the lab serves them all on high ports of 127.0.0.x).
DEFAULT_PORTS: dict[str, int] = {
    "smtp": 25,
    "submission": 587,
    "submissions": 465,
    "imap": 143,
    "imaps": 993,
    "pop3": 110,
    "pop3s": 995,
    "https": 443,
}


@dataclass(frozen=True)
class Nameserver:
    """A DNS server to ask, as given with --nameserver."""

    ip: str
    port: int = 53

    def __str__(self) -> str:
        return f"{self.ip}:{self.port}" if self.port != 53 else self.ip


@dataclass(frozen=True)
class RunConfig:
    """Everything that changes how checks reach the network.

    `timeout` bounds every single network operation; `deadline` bounds the whole audit
    of one target, so that a server that trickles bytes cannot hold a run forever.
    """

    timeout: float = 10.0
    deadline: float = 180.0
    nameservers: tuple[Nameserver, ...] = ()
    ca_file: Path | None = None
    smtp_port: int = 25
    max_workers: int = 16
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    ports: Mapping[str, int] = field(default_factory=dict)
    dkim_selectors: tuple[str, ...] = ()
    trust_anchor: Path | None = None
    #: Processing register (--register) and inventory of providers (--inventory), read by
    #: the checks that judge them.
    register_file: Path | None = None
    inventory_file: Path | None = None
    #: Contact loopback, private and other non-global addresses the audited domain points
    #: at (--allow-private-addresses): only for an internal network or the lab, since the
    #: domain's owner chooses those addresses (see `net.addresses`).
    allow_private_addresses: bool = False

    def port(self, service: str) -> int:
        """Port to use for `service` (a key of `DEFAULT_PORTS`), overrides first."""
        if service == "smtp":
            return self.ports.get("smtp", self.smtp_port)
        return self.ports.get(service, DEFAULT_PORTS[service])


def normalize_domain(raw: str) -> str:
    """Return the domain in lower-case ASCII (IDNA) form, or raise `InputError` in French."""
    text = raw.strip().rstrip(".").lower()
    if not text:
        raise InputError("nom de domaine vide")
    if "://" in text or "/" in text or "@" in text or " " in text:
        raise InputError(
            f"« {raw} » n'est pas un nom de domaine (exemple attendu : cabinet-dupont.fr)"
        )
    try:
        # IDNA 2008 with UTS #46 mapping, as browsers and registries do today: Python's
        # built-in codec (IDNA 2003) would turn « straße.fr » into another domain.
        ascii_name = idna.encode(text, uts46=True).decode("ascii")
        # Decoding back rejects malformed punycode labels such as « xn--zz ».
        idna.decode(ascii_name)
    except (idna.IDNAError, UnicodeError):
        raise InputError(
            f"« {raw} » n'est pas un nom de domaine valide (exemple attendu : cabinet-dupont.fr)"
        ) from None
    labels = ascii_name.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise InputError(
            f"« {raw} » n'est pas un nom de domaine valide (exemple attendu : cabinet-dupont.fr)"
        )
    if len(ascii_name) > 253:
        raise InputError(f"« {raw} » dépasse 253 caractères")
    if labels[-1].isdigit():
        raise InputError(f"« {raw} » ressemble à une adresse IP, pas à un nom de domaine")
    return ascii_name


def normalize_email(raw: str) -> str:
    """Return `local@domain` with a normalised domain, or raise `InputError`."""
    local, sep, domain = raw.strip().rpartition("@")
    if not sep or not local or "@" in local or not local.isprintable() or " " in local:
        raise InputError(f"« {raw} » n'est pas une adresse e-mail (exemple : contact@cabinet.fr)")
    return f"{local}@{normalize_domain(domain)}"


def parse_nameserver(raw: str) -> Nameserver:
    """Parse `IP`, `IP:PORT` or `[IPv6]:PORT`."""
    text = raw.strip()
    host, port = text, 53
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest.startswith(":"):
            port = _parse_port(rest[1:], raw)
    elif text.count(":") == 1:
        host, port_text = text.split(":")
        port = _parse_port(port_text, raw)
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise InputError(
            f"--nameserver « {raw} » : adresse IP attendue (exemple : 9.9.9.9 ou 127.0.0.1:5353)"
        ) from None
    # A resolver is one machine: these addresses name none (or every one of a network).
    if address.is_unspecified or address.is_multicast or address == _BROADCAST:
        raise InputError(
            f"--nameserver « {raw} » : adresse d'un résolveur attendue, pas une adresse "
            "non spécifiée, de multidiffusion ou de diffusion"
        )
    return Nameserver(host, port)


def parse_port_override(raw: str) -> tuple[str, int]:
    """Parse `SERVICE=PORT` as given with --port (e.g. `imaps=10993`)."""
    service, sep, port_text = raw.strip().partition("=")
    service = service.strip().lower()
    if not sep or service not in DEFAULT_PORTS:
        raise InputError(
            f"--port « {raw} » : SERVICE=PORT attendu, SERVICE parmi {', '.join(DEFAULT_PORTS)}"
        )
    return service, _parse_port(port_text.strip(), raw)


_SELECTOR = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(\.(?!-)[A-Za-z0-9_-]{1,63})*$")


def parse_dkim_selector(raw: str) -> str:
    """Check a DKIM selector given with --dkim-selector (DNS labels, RFC 6376 §3.1)."""
    text = raw.strip().rstrip(".")
    if not _SELECTOR.match(text):
        raise InputError(
            f"--dkim-selector « {raw} » : sélecteur invalide (exemple : google ou selector1)"
        )
    return text.lower()


def check_ca_file(path: Path) -> Path:
    """Make sure `path` holds PEM certificates usable as trust anchors."""
    import ssl

    input_file(path, "--ca-file")
    try:
        ssl.create_default_context().load_verify_locations(cafile=str(path))
    except (ssl.SSLError, OSError, ValueError):
        raise InputError(
            f"--ca-file {path} : certificats PEM illisibles (aucun certificat PEM valide)"
        ) from None
    return path


def _parse_port(text: str, raw: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise InputError(f"« {raw} » : port invalide (1–65535 attendu)")
    return int(text)
