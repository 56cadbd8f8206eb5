"""Shared fixtures: one loopback lab for the whole session."""

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import dns.resolver
import dns.zone
import pytest

from rgpd_audit.config import Nameserver
from rgpd_audit.lab import Lab, start_lab
from rgpd_audit.lab.dns_server import DnsServer
from rgpd_audit.net.dns import build_resolver


@pytest.fixture(scope="session", autouse=True)
def _children_can_be_interrupted() -> None:
    """Let the tests' child processes receive Ctrl-C even when pytest was started with SIGINT
    ignored (a shell's `pytest &` does that): an ignored signal is inherited across exec,
    a handled one is reset to its default, which Python turns into KeyboardInterrupt."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session", autouse=True)
def _private_history(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every audit the tests run is recorded in a throwaway data directory, never in the
    developer's history, and never in a firm's server named by RGPD_AUDIT_DB or by the
    developer's own configuration file (read from an empty configuration directory)."""
    os.environ.pop("RGPD_AUDIT_DB", None)
    os.environ["RGPD_AUDIT_DATA_DIR"] = str(tmp_path_factory.mktemp("data-dir"))
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("config-dir"))


# The console script installed beside the interpreter running the tests (.venv/bin), even
# when the virtual environment is not activated; another rgpd-audit on PATH is never used.
EXE = str(Path(sys.executable).with_name("rgpd-audit"))

CliRun = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def cli() -> CliRun:
    """Run the installed console script as a user would: `cli("run", "--domain", …)`."""

    def run(
        *args: str, cwd: Path | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [EXE, *args], capture_output=True, text=True, cwd=cwd, timeout=timeout
        )

    return run


ZONE_HEAD = "$TTL 300\n@ SOA ns1 hostmaster 1 3600 900 1209600 300\n@ NS ns1\nns1 A 127.0.0.1\n"


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    with start_lab() as running:
        yield running


@pytest.fixture(scope="session")
def lab_args(lab: Lab) -> list[str]:
    """CLI options pointing every network operation at the lab."""
    return [*lab.cli_args(), "--timeout", "2"]


@pytest.fixture
def zone_resolver() -> Iterator[Callable[[dict[str, str]], dns.resolver.Resolver]]:
    """Serve in-memory zones ({origin: zone-file body}) from a real loopback DNS server.

    Used by the record corpora (tests/data/spf, tests/data/dmarc): our walkers and the
    oracles get their answers over the network, from the same server, nothing patched.
    """
    servers: list[DnsServer] = []

    def serve(bodies: dict[str, str]) -> dns.resolver.Resolver:
        zones = [
            dns.zone.from_text(ZONE_HEAD + body, origin=origin, relativize=False)
            for origin, body in bodies.items()
        ]
        server = DnsServer(zones)
        server.start()
        servers.append(server)
        return build_resolver([Nameserver("127.0.0.1", server.port)], 2.0)

    yield serve
    for server in servers:
        server.stop()
