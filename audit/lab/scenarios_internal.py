"""Lab scenarios of a domain that points the audit at the auditor's own network.

Addresses of this family's hosts: 127.0.0.110–129. Every one of these names is loopback,
so an audit without `--allow-private-addresses` must contact none of them and report them
as non-routable; with it (the lab's own settings), the caps on MX hosts, addresses per
host and SRV endpoints per service still apply. The services greet with `SECRET`, which
must never reach a report of an audit that did not opt in.
"""

from __future__ import annotations

from rgpd_audit.lab.client_servers import ClientLabHost
from rgpd_audit.lab.scenario_types import (
    FAIL,
    INDETERMINATE,
    PASS,
    LabHost,
    Scenario,
    lab_domain,
    lab_scenario,
)

#: What an internal service would disclose in its greeting (as in issue 16).
SECRET = "SECRET-INTERNAL-TOKEN-4242 redis_password=hunter2"
#: Terminal escapes (colour, then an OSC 8 hyperlink) in a banner and a TXT record.
ESCAPES = "\x1b[31mROUGE\x1b[0m \x1b]8;;https://evil.example/\x07lien\x1b]8;;\x07"

SCENARIOS: tuple[Scenario, ...] = (
    lab_scenario(
        "hostile-interne",
        "MX, SRV (dont 30 IMAP et des ports non standard) et hôte mta-sts sur 127.0.0.0/8 ; "
        "les services y livrent un secret dans leur accueil.",
        {
            "mail.mx.present": PASS,
            "mail.starttls.offered": FAIL,
            "mail.client_tls.encryption": FAIL,
        },
    ),
    lab_scenario(
        "hostile-mx-nombreux",
        "12 MX, dont le premier a 12 adresses : au-delà de 10, « non testé (limite) ».",
        {"mail.starttls.offered": INDETERMINATE},
    ),
    lab_scenario(
        "hostile-controle",
        "Séquences d'échappement du terminal dans la bannière SMTP et un enregistrement TXT.",
        {"mail.mx.present": PASS},
    ),
)

HOSTS: tuple[LabHost, ...] = (
    LabHost(
        lab_domain("hostile-interne", "mx."),
        "127.0.0.110",
        "hostile-interne",
        cert=None,
        ident=f"ESMTP {SECRET}",
    ),
    LabHost(
        lab_domain("hostile-controle", "mx."),
        "127.0.0.113",
        "hostile-controle",
        ident=f"ESMTP {ESCAPES}",
    ),
)

CLIENT_HOSTS: tuple[ClientLabHost, ...] = (
    ClientLabHost(
        lab_domain("hostile-interne", "mail."),
        "127.0.0.111",
        "hostile-interne",
        cert=None,
        clear_login=True,
        greeting_extra=SECRET,
    ),
)
