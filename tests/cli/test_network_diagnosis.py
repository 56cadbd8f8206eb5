"""A dead or lying resolver is the network's problem: one French line and exit code 3.

The resolvers here are real UDP servers on loopback: one that never answers, one that denies
every name (as some captive portals and filtering resolvers do).
"""

import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import dns.message
import dns.rcode
import pytest

from rgpd_audit.lab import Lab
from tests.conftest import EXE

CliRun = Callable[..., subprocess.CompletedProcess[str]]
EXIT_NETWORK = 3


@pytest.fixture
def silent_resolver() -> Iterator[str]:
    """A bound UDP port that reads queries and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def denying_resolver() -> Iterator[str]:
    """A resolver that answers NXDOMAIN to every question, the root included."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                wire, peer = sock.recvfrom(4096)
            except TimeoutError:
                continue
            response = dns.message.make_response(dns.message.from_wire(wire))
            response.set_rcode(dns.rcode.NXDOMAIN)
            sock.sendto(response.to_wire(), peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"127.0.0.1:{sock.getsockname()[1]}"
    stop.set()
    thread.join()
    sock.close()


def test_silent_resolver_is_diagnosed_quickly_with_exit_3(
    cli: CliRun, silent_resolver: str, tmp_path: Path
) -> None:
    started = time.monotonic()
    done = cli(
        "run", "-d", "ameli.fr", "--nameserver", silent_resolver, "--timeout", "1",
        "-o", str(tmp_path / "sortie"),
    )  # fmt: skip
    elapsed = time.monotonic() - started
    assert done.returncode == EXIT_NETWORK, done.stderr
    assert done.stderr.startswith("Erreur : réseau ou résolveur DNS inutilisable : aucune réponse")
    assert silent_resolver in done.stderr
    assert done.stderr.count("\n") == 1
    # One query of one second, not the whole audit's deadline.
    assert elapsed < 20


def test_resolver_denying_everything_is_not_called_a_typo(
    cli: CliRun, denying_resolver: str, tmp_path: Path
) -> None:
    done = cli("run", "-d", "ameli.fr", "--nameserver", denying_resolver, "-o", str(tmp_path))
    assert done.returncode == EXIT_NETWORK, done.stderr
    assert "nie l'existence de la racine du DNS" in done.stderr
    assert "faute de frappe" not in done.stderr


def test_missing_domain_behind_a_working_resolver_is_still_a_typo(
    cli: CliRun, lab: Lab, lab_args: list[str], tmp_path: Path
) -> None:
    done = cli("run", "-d", "inexistant.labo-rgpd.fr", *lab_args, "-o", str(tmp_path))
    assert done.returncode == 2, done.stderr
    assert "faute de frappe" in done.stderr


def test_audit_where_nothing_could_be_evaluated_does_not_exit_0(
    cli: CliRun, lab: Lab, lab_args: list[str], tmp_path: Path
) -> None:
    done = cli(
        "run", "-d", "mx-muet.fr", *lab_args, "--timeout", "1", "--only", "mail.starttls.offered",
        "--format", "json", "-o", str(tmp_path),
    )  # fmt: skip
    assert done.returncode == EXIT_NETWORK, done.stderr
    assert "Aucun contrôle n'a pu être évalué" in done.stderr
    # The partial results are kept all the same.
    assert (tmp_path / "audit.json").exists()


def _without_system_resolver(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`rgpd-audit *args` in a mount namespace where /etc/resolv.conf names no server."""
    empty = tmp_path / "resolv.conf"
    empty.write_text("# aucun serveur\n")
    script = 'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"'
    return subprocess.run(
        ["unshare", "--mount", "sh", "-c", script, "sh", str(empty), EXE, *args],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_no_system_resolver_and_no_nameserver_is_one_line_for_run_and_batch(
    tmp_path: Path,
) -> None:
    probe = subprocess.run(["unshare", "--mount", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("espace de noms de montage indisponible (unshare : droits root requis)")
    clients = tmp_path / "clients.csv"
    clients.write_text("domaine;nom;emails;profil;reponses\ncabinet-exemple.fr;;;;\n")
    runs = {
        "run": _without_system_resolver(
            tmp_path, "run", "--domain", "cabinet-exemple.fr", "-o", str(tmp_path / "audit")
        ),
        "batch": _without_system_resolver(
            tmp_path, "batch", str(clients), "-o", str(tmp_path / "lot"), "--format", "json"
        ),
    }
    expected = (
        "Erreur : aucun résolveur DNS n'est configuré sur le poste de l'audit ; "
        "indiquez-en un avec --nameserver\n"
    )
    for command, done in runs.items():
        assert (command, done.returncode, done.stderr) == (command, EXIT_NETWORK, expected)
