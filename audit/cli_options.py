"""The options of `run` that say how an audit reaches the network, shared with `batch`.

One declaration and one validation (`network_config`) for both commands, so that a batch
accepts exactly what `run` accepts, with the same one-line errors. Only typer is imported at
start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rgpd_audit.config import RunConfig

TimeoutOpt = Annotated[
    float,
    typer.Option(
        "--timeout",
        metavar="SECONDES",
        show_default=False,
        help="Délai maximal de chaque opération réseau (défaut : 10).",
    ),
]

DeadlineOpt = Annotated[
    float,
    typer.Option(
        "--deadline",
        metavar="SECONDES",
        show_default=False,
        help="Durée maximale de l'ensemble des contrôles (défaut : 180).",
    ),
]

NameserverOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--nameserver",
        metavar="IP[:PORT]",
        help=(
            "Résolveur DNS (répétable ; défaut : celui du système). Pour DNSSEC, un résolveur"
            " qui transmet les signatures (RRSIG), par exemple 9.9.9.9."
        ),
    ),
]

CaFileOpt = Annotated[
    Path | None,
    typer.Option("--ca-file", metavar="PEM", help="Autorités de confiance supplémentaires (PEM)."),
]

SmtpPortOpt = Annotated[
    int,
    typer.Option(
        "--smtp-port",
        metavar="PORT",
        show_default=False,
        help="Port SMTP des serveurs MX (défaut : 25).",
    ),
]

PortOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--port",
        metavar="SERVICE=PORT",
        help="Port d'un service (smtp, submission, submissions, imap, imaps, pop3, pop3s,"
        " https) ; répétable, pour un laboratoire ou un pare-feu.",
    ),
]

DkimSelectorOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--dkim-selector",
        metavar="SÉLECTEUR",
        help="Sélecteur DKIM à vérifier en plus des sélecteurs courants (répétable).",
    ),
]

TrustAnchorOpt = Annotated[
    Path | None,
    typer.Option(
        "--trust-anchor",
        metavar="FICHIER",
        help="Ancre de confiance DNSSEC (enregistrements DS ou DNSKEY de la racine ;"
        " défaut : la clé de la racine fournie avec l'outil).",
    ),
]

OnlyOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--only",
        metavar="SÉLECTION",
        help="Ne lancer que ces contrôles (id, motif ou catégorie).",
    ),
]

SkipOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--skip",
        metavar="SÉLECTION",
        help="Ne pas lancer ces contrôles (id, motif ou catégorie).",
    ),
]

AllowPrivateAddressesOpt = Annotated[
    bool,
    typer.Option(
        "--allow-private-addresses",
        help="Contacter aussi les adresses non routables (127.0.0.0/8, 10.0.0.0/8, "
        "192.168.0.0/16…) désignées par le domaine : seulement pour un réseau interne "
        "ou un laboratoire.",
    ),
]


def network_config(
    *,
    timeout: float,
    deadline: float,
    nameserver: list[str] | None,
    ca_file: Path | None,
    smtp_port: int,
    port: list[str] | None,
    dkim_selector: list[str] | None,
    trust_anchor: Path | None,
    only: list[str] | None,
    skip: list[str] | None,
    allow_private_addresses: bool,
    register: Path | None = None,
    inventory: Path | None = None,
) -> RunConfig:
    """The `RunConfig` these options describe; `InputError` (one French line) otherwise."""
    from rgpd_audit import preflight
    from rgpd_audit.config import (
        RunConfig,
        check_ca_file,
        parse_dkim_selector,
        parse_nameserver,
        parse_port_override,
    )
    from rgpd_audit.errors import InputError
    from rgpd_audit.net.trust_anchor import check_trust_anchor
    from rgpd_audit.paths import input_file

    if not 0 < smtp_port < 65536:
        raise InputError("--smtp-port : port invalide (1–65535 attendu)")
    preflight.check_durations(timeout, deadline)
    return RunConfig(
        timeout=timeout,
        deadline=deadline,
        nameservers=tuple(parse_nameserver(ns) for ns in nameserver or []),
        ca_file=check_ca_file(ca_file) if ca_file else None,
        smtp_port=smtp_port,
        only=tuple(only or []),
        skip=tuple(skip or []),
        ports=dict(parse_port_override(p) for p in port or []),
        dkim_selectors=tuple(dict.fromkeys(parse_dkim_selector(s) for s in dkim_selector or [])),
        trust_anchor=check_trust_anchor(trust_anchor) if trust_anchor else None,
        register_file=input_file(register, "--register") if register else None,
        inventory_file=input_file(inventory, "--inventory") if inventory else None,
        allow_private_addresses=allow_private_addresses,
    )
