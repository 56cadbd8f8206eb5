"""The lab's HTTPS hosts (MTA-STS policies), exercised with the standard library's client."""

from __future__ import annotations

import http.client
import socket
import ssl

import dns.resolver
import pytest

from rgpd_audit.lab import Lab
from rgpd_audit.lab.https_server import POLICY_PATH
from rgpd_audit.lab.pki import CertKind
from rgpd_audit.lab.scenarios_policies import HTTPS_SITES

# OpenSSL X509_V_ERR_CERT_HAS_EXPIRED, stable across OpenSSL versions.
CERT_HAS_EXPIRED = 10


def fetch(
    lab: Lab, hostname: str, address: str, path: str = POLICY_PATH
) -> http.client.HTTPResponse:
    context = ssl.create_default_context(cafile=str(lab.ca_file))
    connection = http.client.HTTPSConnection(address, lab.ports["https"], timeout=5)
    # Connect to the address but speak TLS to the name, as the audit does.
    connection.sock = context.wrap_socket(
        socket.create_connection((address, lab.ports["https"]), timeout=5),
        server_hostname=hostname,
    )
    connection.request("GET", path, headers={"Host": hostname})
    return connection.getresponse()


def test_https_port_is_published_to_audits(lab: Lab) -> None:
    port = lab.ports["https"]
    assert port > 1024
    assert lab.run_config().port("https") == port
    assert f"https={port}" in lab.cli_args()


def test_every_site_resolves_to_its_address_and_belongs_to_a_scenario(lab: Lab) -> None:
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = ["127.0.0.1"]
    resolver.port = lab.dns_port
    for site in HTTPS_SITES:
        assert site.scenario in lab.scenarios
        assert site.hostname == f"mta-sts.{lab.scenarios[site.scenario].domain}"
        assert resolver.resolve(site.hostname, "A")[0].address == site.address


def test_policy_is_served_as_text_plain_with_a_certificate_for_the_name(lab: Lab) -> None:
    site = next(s for s in HTTPS_SITES if s.scenario == "sts-enforce")
    response = fetch(lab, site.hostname, site.address)
    assert response.status == 200
    assert response.getheader("Content-Type", "").startswith("text/plain")
    assert response.read().decode() == site.policy


def test_other_paths_answer_404(lab: Lab) -> None:
    site = next(s for s in HTTPS_SITES if s.scenario == "sts-enforce")
    assert fetch(lab, site.hostname, site.address, "/index.html").status == 404


def test_redirecting_site_answers_301_with_its_location(lab: Lab) -> None:
    site = next(s for s in HTTPS_SITES if s.status == 301)
    response = fetch(lab, site.hostname, site.address)
    assert response.status == 301 and response.getheader("Location") == site.location


def test_expired_site_presents_an_expired_certificate(lab: Lab) -> None:
    site = next(s for s in HTTPS_SITES if s.cert is CertKind.EXPIRED)
    with pytest.raises(ssl.SSLCertVerificationError) as caught:
        fetch(lab, site.hostname, site.address)
    assert caught.value.verify_code == CERT_HAS_EXPIRED
