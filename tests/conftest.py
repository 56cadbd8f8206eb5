"""Shared fixtures: one loopback lab for the whole session (of each worker process).

The suite runs in parallel worker processes (pytest-xdist, `-n auto` in pyproject.toml): a
"session" fixture is set up once per worker. The lab binds ephemeral ports, the throwaway data
and configuration directories come from each worker's own temporary directory, and the
PostgreSQL tests create a database of their own: workers share nothing they could trip over.
"""

import compileall
import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import dns.resolver
import dns.zone
import pytest
from hypothesis import settings

from rgpd_audit.config import Nameserver
from rgpd_audit.lab import Lab, start_lab
from rgpd_audit.lab.dns_server import DnsServer
from rgpd_audit.net.dns import build_resolver

#: Workers when the options say `-n auto`, at the least. A third of the suite's time is spent
#: waiting (on the lab's servers, on the network timeouts a test provokes, on the console
#: script a test started): run alone, it keeps about two thirds of one core busy. So two
#: workers per core, 4 on the 2-core CI machine: enough to keep both cores busy through the
#: long waits (a 20 s connection timeout, a demo), not so many that the fixed cost of each
#: worker (about 5 s of CPU to import, collect and start its own lab) eats the gain.
MIN_WORKERS = 4
#: Above that, the fixed cost of another worker outweighs what it overlaps.
MAX_WORKERS = 16


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Worker count for `-n auto`: 2 per usable core, between MIN_WORKERS and MAX_WORKERS.

    PYTEST_XDIST_AUTO_NUM_WORKERS still overrides it, as pytest-xdist documents.
    """
    forced = os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS", "")
    if forced.isdigit():
        return int(forced)
    # The cores this process may run on (a container or `taskset` can give fewer than the
    # machine has).
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(MAX_WORKERS, max(MIN_WORKERS, 2 * (cores or 1)))


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return  # a worker: the controller did it once, before starting the workers
    # The tests start the console script some 230 times. With PYTHONDONTWRITEBYTECODE set (as
    # on this project's machines) nothing is ever cached, and each start compiled the modules it
    # imports again: up to 0.2 s of CPU for an audit, some 30 s over the suite. Compiled once
    # here, into the __pycache__ folders Python itself would write (ignored by git); a stale
    # or missing file is only a slower start, never a wrong one.
    import rgpd_audit
    import rgpd_audit.checks

    for package in (rgpd_audit, rgpd_audit.checks):
        for folder in package.__path__:
            compileall.compile_dir(folder, quiet=2)


# Hypothesis fails an example slower than its deadline (200 ms by default). Parallel workers on
# a shared machine can stall a 1 ms example for longer than that (one failed so, then passed
# on its replay: "unreliable timings"). Ten times the default still catches an input that sends
# a parser into a pathological loop, which is what the deadline is for here.
settings.register_profile("rgpd-audit", deadline=timedelta(seconds=2))
settings.load_profile("rgpd-audit")


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


def interrupt_another_thread(pid: int) -> None:
    """Ctrl-C as the kernel may deliver it: to a thread of process `pid` other than the main
    one (tgkill), which Python only acts on when its main thread runs code again."""
    others = sorted(int(task) for task in os.listdir(f"/proc/{pid}/task") if int(task) != pid)
    assert others, "aucun fil de travail en cours"
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.tgkill(pid, others[0], signal.SIGINT) == 0, os.strerror(ctypes.get_errno())


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
