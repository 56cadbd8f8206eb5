"""`start_lab`: DNS, SMTP servers and PKI of the lab, started together on loopback."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dns.zone

from rgpd_audit.config import RunConfig, parse_nameserver
from rgpd_audit.lab.client_servers import ClientServerGroup, client_configs
from rgpd_audit.lab.dns_server import DnsServer, load_zones
from rgpd_audit.lab.dnssec_zones import sign_lab_zones
from rgpd_audit.lab.https_server import HttpsServerGroup
from rgpd_audit.lab.pki import LabPki
from rgpd_audit.lab.scenario_types import Scenario
from rgpd_audit.lab.scenarios import HOSTS, scenarios_by_name
from rgpd_audit.lab.scenarios_internal import CLIENT_HOSTS as INTERNAL_CLIENT_HOSTS
from rgpd_audit.lab.scenarios_policies import HTTPS_SITES
from rgpd_audit.lab.scenarios_tls import CLIENT_HOSTS
from rgpd_audit.lab.smtp_servers import SmtpServerConfig, SmtpServerGroup

#: Address of the lab's DNS server; MX hosts use 127.0.0.10 and up.
DNS_ADDRESS = "127.0.0.1"


@dataclass(frozen=True)
class Lab:
    """Where a running lab can be reached, and the scenarios it serves."""

    nameserver: str
    dns_port: int
    smtp_port: int
    ca_file: Path
    scenarios: dict[str, Scenario]
    #: Other services of the lab (keys of `config.DEFAULT_PORTS`) and their high ports.
    ports: dict[str, int] = field(default_factory=dict)
    #: DNSSEC trust anchor of the lab's own root, when the lab signs its zones.
    trust_anchor: Path | None = None
    #: DNS queries received so far per (name, type), for the "asked once" benchmark.
    dns_query_counts: Callable[[], dict[tuple[str, str], int]] | None = None
    #: Arrival time (`time.monotonic()`) of every DNS query, and (server address, time) of
    #: every SMTP connection accepted: the batch's paces, checked from the servers' side.
    dns_query_times: Callable[[], list[float]] | None = None
    smtp_connection_times: Callable[[], list[tuple[str, float]]] | None = None

    def run_config(self, **overrides: Any) -> RunConfig:
        """A `RunConfig` that sends every network operation of an audit to this lab."""
        settings: dict[str, Any] = {
            "nameservers": (parse_nameserver(self.nameserver),),
            "ca_file": self.ca_file,
            "smtp_port": self.smtp_port,
            "ports": dict(self.ports),
            "trust_anchor": self.trust_anchor,
            # Every lab server lives on 127.0.0.0/8.
            "allow_private_addresses": True,
        }
        return RunConfig(**{**settings, **overrides})

    def cli_args(self) -> list[str]:
        """The `rgpd-audit run` options that point an audit at this lab."""
        args = ["--nameserver", self.nameserver, "--ca-file", str(self.ca_file)]
        # Every lab server lives on 127.0.0.0/8.
        args.append("--allow-private-addresses")
        args += ["--smtp-port", str(self.smtp_port)]
        for service, port in sorted(self.ports.items()):
            args += ["--port", f"{service}={port}"]
        if self.trust_anchor:
            args += ["--trust-anchor", str(self.trust_anchor)]
        return args


@contextmanager
def start_lab(
    dns_delay: float = 0.0,
    smtp_greeting_delay: float = 0.0,
    extra_zones: Sequence[dns.zone.Zone] = (),
) -> Iterator[Lab]:
    """Start the lab's DNS and SMTP servers on loopback and stop them when the block exits.

    `dns_delay` is added before every DNS answer and `smtp_greeting_delay` before every SMTP
    greeting, each request or connection being delayed on its own. `extra_zones` are served
    beside the lab's own (unsigned, delegated from their parent lab zone): the batch
    benchmark's thousand practice domains. Everything (servers,
    threads, temporary certificates) is torn down on exit, exception or not.
    """
    if dns_delay < 0 or smtp_greeting_delay < 0:
        raise ValueError("les délais du laboratoire ne peuvent pas être négatifs")
    with ExitStack() as stack:
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="rgpd-lab-")))
        pki = LabPki(directory)
        configs = [
            SmtpServerConfig(
                address=host.address,
                hostname=host.hostname,
                ident=host.ident,
                tls_context=(
                    pki.server_context(host.cert, host.hostname, host.legacy_tls, host.tls_profile)
                    if host.cert
                    else None
                ),
                mute=host.mute,
                misbehaviour=host.misbehaviour,
                single_connection=host.single_connection,
            )
            for host in HOSTS
        ]
        # After the SMTP contexts: the TLSA records designate the certificates made for them.
        signed = sign_lab_zones([*load_zones(), *extra_zones], pki, directory, HOSTS)
        dns_server = stack.enter_context(
            DnsServer(signed.zones, host=DNS_ADDRESS, delay=dns_delay, chain_only=signed.chain_only)
        )
        smtp = stack.enter_context(SmtpServerGroup(configs, greeting_delay=smtp_greeting_delay))
        https = stack.enter_context(HttpsServerGroup(HTTPS_SITES, pki))
        clients = stack.enter_context(
            ClientServerGroup(client_configs(CLIENT_HOSTS + INTERNAL_CLIENT_HOSTS, pki))
        )
        yield Lab(
            nameserver=f"{DNS_ADDRESS}:{dns_server.port}",
            dns_port=dns_server.port,
            smtp_port=smtp.port,
            ca_file=pki.ca_file,
            scenarios=scenarios_by_name(),
            trust_anchor=signed.trust_anchor,
            dns_query_counts=dns_server.query_counts,
            dns_query_times=dns_server.query_times,
            smtp_connection_times=smtp.connection_times,
            ports={"https": https.port, **clients.ports},
        )
