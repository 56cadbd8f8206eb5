"""HTTPS GET to a pinned address, against real TLS servers on loopback (nothing mocked)."""

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rgpd_audit.errors import CheckError
from rgpd_audit.lab.https_server import POLICY_PATH, HttpsServerGroup, HttpsSite
from rgpd_audit.lab.pki import CertKind, LabPki
from rgpd_audit.net.https import CertificateRejected, HostNotFound, HttpsResponse, https_get

GOOD = "mta-sts.bon.test"
BIG = "mta-sts.gros.test"
MOVED = "mta-sts.deplace.test"
SITES = (
    HttpsSite(GOOD, "127.0.0.96", "essai", "version: STSv1\n"),
    HttpsSite(BIG, "127.0.0.97", "essai", "x" * 100_000),
    HttpsSite(MOVED, "127.0.0.98", "essai", None, status=301, location="https://ailleurs.test/"),
)


Servers = tuple[HttpsServerGroup, Path]


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    pki = LabPki(tmp_path_factory.mktemp("pki"))
    with HttpsServerGroup(SITES, pki) as group:
        yield group, pki.ca_file


def get(servers: Servers, host: str, addresses: list[str], **options: Any) -> HttpsResponse:
    group, ca_file = servers
    settings = {"port": group.port, "timeout": 2.0, "ca_file": ca_file, "max_bytes": 4096}
    return https_get(f"https://{host}{POLICY_PATH}", addresses, **{**settings, **options})


def test_certificate_is_verified_for_the_host_name_not_the_address(servers: Servers) -> None:
    response = get(servers, GOOD, ["127.0.0.96"])
    assert (response.status, response.body, response.truncated) == (200, b"version: STSv1\n", False)
    assert response.content_type == "text/plain; charset=utf-8"
    assert response.address == "127.0.0.96"


def test_certificate_for_another_name_is_rejected(servers: Servers) -> None:
    # The server at this address presents a certificate for GOOD, not for this name.
    with pytest.raises(CertificateRejected) as caught:
        get(servers, "mta-sts.autre.test", ["127.0.0.96"])
    assert caught.value.reason == "tls" and "mta-sts.autre.test" in caught.value.message


def test_lab_authority_is_unknown_without_the_ca_file(servers: Servers) -> None:
    with pytest.raises(CertificateRejected):
        get(servers, GOOD, ["127.0.0.96"], ca_file=None)


def test_redirects_are_reported_not_followed(servers: Servers) -> None:
    response = get(servers, MOVED, ["127.0.0.98"])
    assert response.status == 301 and response.location == "https://ailleurs.test/"


def test_body_is_cut_at_the_size_cap(servers: Servers) -> None:
    response = get(servers, BIG, ["127.0.0.97"], max_bytes=1000)
    assert response.truncated and len(response.body) == 1000


def test_next_address_is_tried_when_one_refuses(servers: Servers) -> None:
    # Nothing listens on 127.0.0.99 at the servers' port: connection refused at once.
    assert get(servers, GOOD, ["127.0.0.99", "127.0.0.96"]).status == 200


def test_no_answer_at_all_is_a_connection_error(servers: Servers) -> None:
    with pytest.raises(CheckError) as caught:
        get(servers, GOOD, ["127.0.0.99"])
    assert caught.value.reason == "connection" and not isinstance(caught.value, CertificateRejected)


def test_no_address_means_host_not_found(servers: Servers) -> None:
    with pytest.raises(HostNotFound):
        get(servers, GOOD, [])


def test_proxy_settings_of_the_environment_are_ignored(
    servers: Servers, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A proxy would send the request somewhere else than the address the audit resolved.
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("ALL_PROXY", "http://127.0.0.1:9")
    assert get(servers, GOOD, ["127.0.0.96"]).status == 200


def test_server_that_never_answers_the_handshake_times_out() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.99", 0))
        listener.listen()
        accepted: list[socket.socket] = []
        stop = threading.Event()

        def hold() -> None:
            connection, _ = listener.accept()
            accepted.append(connection)
            stop.wait(10)
            connection.close()

        thread = threading.Thread(target=hold, daemon=True)
        thread.start()
        with pytest.raises(CheckError) as caught:
            https_get(
                f"https://{GOOD}{POLICY_PATH}",
                ["127.0.0.99"],
                port=listener.getsockname()[1],
                timeout=0.5,
                ca_file=None,
                max_bytes=4096,
            )
        stop.set()
        thread.join()
    assert caught.value.reason == "timeout"


def test_body_trickled_byte_by_byte_is_cut_at_the_timeout(tmp_path: Path) -> None:
    pki = LabPki(tmp_path)
    context = pki.server_context(CertKind.GOOD, GOOD)
    with socket.socket() as listener:
        listener.bind(("127.0.0.99", 0))
        listener.listen()
        stop = threading.Event()

        def trickle() -> None:
            raw, _ = listener.accept()
            with context.wrap_socket(raw, server_side=True) as tls:
                tls.recv(4096)
                tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n")
                while not stop.wait(0.05):
                    tls.sendall(b"x")

        thread = threading.Thread(target=trickle, daemon=True)
        thread.start()
        with pytest.raises(CheckError) as caught:
            https_get(
                f"https://{GOOD}{POLICY_PATH}",
                ["127.0.0.99"],
                port=listener.getsockname()[1],
                timeout=0.5,
                ca_file=pki.ca_file,
                max_bytes=1_000_000,
            )
        stop.set()
        thread.join(timeout=5)
    assert caught.value.reason == "timeout"
