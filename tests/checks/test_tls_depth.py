"""TLS depth of the MX servers (versions, suites, key, chain, expiry) against the lab's servers."""

import hashlib
import socket
import ssl
import tempfile
import threading
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from rgpd_audit import registry
from rgpd_audit.context import CheckContext
from rgpd_audit.engine import run_checks
from rgpd_audit.lab import Lab
from rgpd_audit.lab.misbehaving_smtp import BUSY_GREETING
from rgpd_audit.lab.pki import EXPIRING_LATER_IN, CertKind, LabPki
from rgpd_audit.lab.smtp_servers import DiscardHandler, SmtpServerConfig, SmtpServerGroup
from rgpd_audit.models import Finding, Severity, Status, Target
from rgpd_audit.net import tls_versions
from rgpd_audit.net.smtp import probe_smtp, starttls_handshake
from rgpd_audit.net.tls_versions import assess_tls, cipher_family, is_aead, legacy_context

SPECS = [s for s in registry.discover() if s.meta.id.startswith(("mail.tls", "mail.starttls"))]
DEPTH = ("mail.tls.versions", "mail.tls.ciphers", "mail.tls.certificate_key", "mail.tls.chain")
DEPTH_FACTS = {
    "mail.tls.versions": "tls.versions",
    "mail.tls.ciphers": "tls.ciphers",
    "mail.tls.certificate_key": "tls.certificate_key",
    "mail.tls.chain": "tls.chain",
}


def audit(lab: Lab, name: str, **config: object) -> dict[str, list[Finding]]:
    target = Target(domain=lab.scenarios[name].domain, emails=[])
    ctx = CheckContext(target, lab.run_config(**{"timeout": 2.0, **config}))
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for finding in run_checks(ctx, SPECS).findings:
        grouped[finding.check_id].append(finding)
    return grouped


def evidence(finding: Finding) -> dict[str, object]:
    return {e.label: e.value for e in finding.evidence}


def facts(finding: Finding, kind: str) -> dict[str, Any]:
    """The facts of `finding`, which must be of `kind`."""
    assert finding.facts_kind == kind and finding.facts is not None, finding.facts_kind
    return finding.facts


def variant(check_id: str, key: str) -> str:
    """The remediation the check's sidecar gives for outcome `key`."""
    [spec] = [s for s in SPECS if s.meta.id == check_id]
    return spec.meta.remediation_variants[key]


def test_tls_1_3_only_server_is_good(lab: Lab) -> None:
    [versions] = audit(lab, "tls-13")["mail.tls.versions"]
    assert versions.status is Status.PASS
    seen = facts(versions, "tls.versions")
    assert seen["server"]["tls_version"] == "TLSv1.3"
    assert seen["legacy"] == {"accepted": False, "version": None, "cipher": None, "error": None}
    assert evidence(versions)["TLS 1.1 et antérieures"] == "refusées"


def test_tls_1_0_server_fails_versions_citing_rfc_8996(lab: Lab) -> None:
    found = audit(lab, "tls-obsolete")
    [versions] = found["mail.tls.versions"]
    assert versions.status is Status.FAIL
    legacy = facts(versions, "tls.versions")["legacy"]
    assert legacy["accepted"] and legacy["version"] == "TLSv1"
    assert any(r.label.startswith("RFC 8996") for r in versions.references)
    # The old server still gets a fair description of its (only) suites: a CBC suite is
    # noted, not failed.
    [ciphers] = found["mail.tls.ciphers"]
    assert ciphers.status is Status.PASS
    assert not is_aead(facts(ciphers, "tls.ciphers")["server"]["cipher"])


def test_anonymous_suite_accepted_is_a_failure_naming_it(lab: Lab) -> None:
    [ciphers] = audit(lab, "tls-suites-faibles")["mail.tls.ciphers"]
    assert ciphers.status is Status.FAIL
    accepted = evidence(ciphers)["Suite faible acceptée"]
    assert isinstance(accepted, str) and accepted.startswith(("ADH", "AECDH"))
    weak = facts(ciphers, "tls.ciphers")["weak"]
    assert weak["accepted"] and weak["cipher"] == accepted
    assert cipher_family(accepted) == "anonymous"


def test_cipher_verdict_says_which_weak_families_could_not_be_tested(lab: Lab) -> None:
    [ciphers] = audit(lab, "conforme")["mail.tls.ciphers"]
    assert ciphers.status is Status.PASS
    tested = evidence(ciphers)["Familles de suites faibles testées"]
    assert isinstance(tested, list) and "anonymes" in tested
    offered = facts(ciphers, "tls.ciphers")["weak_offered"]
    assert tested == tls_versions.tested_families(tuple(offered))
    # The wording is the point: the families the local OpenSSL cannot offer are named.
    untested = ciphers.summary.partition("Non testées lors de cet audit : ")[2]
    for family in ("RC4", "export", "DES/3DES"):
        assert (family in tested) != (family in untested)


def test_intermediate_sent_makes_a_complete_chain(lab: Lab) -> None:
    [chain] = audit(lab, "tls-intermediaire")["mail.tls.chain"]
    assert chain.status is Status.PASS
    sent = evidence(chain)["Certificats envoyés"]
    assert isinstance(sent, list) and len(sent) == 2
    assert [c["subject"] for c in facts(chain, "tls.chain")["chain"]] == sent


def test_missing_intermediate_is_a_chain_failure(lab: Lab) -> None:
    found = audit(lab, "tls-chaine-incomplete")
    [chain] = found["mail.tls.chain"]
    assert chain.status is Status.FAIL
    seen = facts(chain, "tls.chain")
    # Only the leaf is sent, and OpenSSL could not find its issuer.
    assert len(seen["chain"]) == 1 and not seen["chain"][0]["self_signed"]
    assert seen["verify_error"]["code"] == 20
    assert [f.status for f in found["mail.starttls.offered"]] == [Status.PASS]


def test_self_signed_has_no_chain_to_judge(lab: Lab) -> None:
    [chain] = audit(lab, "cert-autosigne")["mail.tls.chain"]
    assert chain.status is Status.NOT_APPLICABLE
    assert facts(chain, "tls.chain")["certificate"]["self_signed"]


def test_expiry_alerts_at_60_days_low_and_30_days_medium(lab: Lab) -> None:
    [later] = audit(lab, "tls-expire-60")["mail.tls.certificate"]
    assert (later.status, later.severity) == (Status.FAIL, Severity.LOW)
    assert later.remediation == variant("mail.tls.certificate", "expiring_soon")
    days = evidence(later)["Jours restants"]
    assert days in (EXPIRING_LATER_IN.days - 1, EXPIRING_LATER_IN.days)
    soon = audit(lab, "demo")["mail.tls.certificate"]
    verdicts = {f.subject.split()[0]: (f.status, f.severity) for f in soon}
    assert verdicts["mx2.cabinet-exemple.fr"] == (Status.FAIL, Severity.MEDIUM)
    [mx2] = [f for f in soon if (f.subject or "").startswith("mx2.")]
    assert mx2.remediation == variant("mail.tls.certificate", "expiring_soon")


def test_certificate_key_and_signature_are_reported(lab: Lab) -> None:
    [key] = audit(lab, "conforme")["mail.tls.certificate_key"]
    assert key.status is Status.PASS
    assert evidence(key)["Signature"] == "SHA256"
    leaf = facts(key, "tls.certificate_key")["certificate"]
    assert leaf["signature_algorithm"] == "SHA256" and leaf["key_bits"] >= 256


def test_probe_keeps_the_chain_as_sent_leaf_first(lab: Lab) -> None:
    host = "mx.tls-intermediaire.labo-rgpd.fr"
    probe = probe_smtp(host, "127.0.0.41", lab.smtp_port, 2.0, lab.ca_file)
    assert probe.tls is not None and probe.tls.certificate is not None
    assert len(probe.tls.chain) == 2
    assert hashlib.sha256(probe.tls.chain[0]).hexdigest() == probe.tls.certificate.sha256


def test_depth_checks_not_applicable_without_starttls(lab: Lab) -> None:
    found = audit(lab, "sans-starttls")
    for check_id in DEPTH:
        assert [f.status for f in found[check_id]] == [Status.NOT_APPLICABLE]
        assert not facts(found[check_id][0], DEPTH_FACTS[check_id])["server"]["starttls_offered"]


def test_legacy_handshake_refused_by_a_modern_server(lab: Lab) -> None:
    outcome = starttls_handshake(
        "mx.cabinet-conforme.fr", "127.0.0.12", lab.smtp_port, 2.0, legacy_context()
    )
    assert isinstance(outcome, ssl.SSLError)


@pytest.fixture(scope="module")
def single_connection_server() -> Iterator[tuple[SmtpServerGroup, Path]]:
    """A server of our own at the address of `tls-une-connexion`, to read its counter."""
    with tempfile.TemporaryDirectory() as directory:
        pki = LabPki(Path(directory))
        hostname = "mx.tls-une-connexion.labo-rgpd.fr"
        config = SmtpServerConfig(
            "127.0.0.44",
            hostname,
            tls_context=pki.server_context(CertKind.GOOD, hostname),
            single_connection=True,
        )
        with SmtpServerGroup([config]) as group:
            yield group, pki.ca_file


def test_single_connection_server_does_turn_away_a_concurrent_client(
    single_connection_server: tuple[SmtpServerGroup, Path],
) -> None:
    server, _ = single_connection_server
    address = ("127.0.0.44", server.port)
    before = server.busy_refusals()
    with socket.create_connection(address, timeout=2) as first:
        assert first.recv(512).startswith(b"220")
        with socket.create_connection(address, timeout=2) as second:
            assert second.recv(512).decode().startswith(BUSY_GREETING)
    assert server.busy_refusals() == before + 1


def test_audit_never_opens_two_connections_to_one_address(
    lab: Lab, single_connection_server: tuple[SmtpServerGroup, Path]
) -> None:
    server, ca_file = single_connection_server
    before = server.busy_refusals()
    found = audit(lab, "tls-une-connexion", smtp_port=server.port, ca_file=ca_file)
    for check_id in ("mail.starttls.offered", "mail.tls.certificate", *DEPTH):
        assert [f.status for f in found[check_id]] == [Status.PASS], check_id
    assert server.busy_refusals() == before


def test_extra_handshake_waits_once_for_a_busy_server(
    single_connection_server: tuple[SmtpServerGroup, Path],
) -> None:
    server, _ = single_connection_server
    address = ("127.0.0.44", server.port)
    before = server.busy_refusals()
    held = socket.create_connection(address, timeout=2)
    assert held.recv(512).startswith(b"220")
    # Released well before the tool's single new attempt (one second after the 421).
    releaser = threading.Timer(0.3, held.close)
    releaser.start()
    try:
        outcome = starttls_handshake(
            "mx.tls-une-connexion.labo-rgpd.fr", address[0], address[1], 2.0, legacy_context()
        )
    finally:
        releaser.join()
    assert server.busy_refusals() == before + 1
    # The second attempt reached the server, which refused the old TLS versions.
    assert isinstance(outcome, ssl.SSLError)


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _ipv6_loopback(), reason="pas d'adresse ::1 sur cette machine")
def test_an_ipv6_mx_address_is_probed_and_assessed_like_an_ipv4_one() -> None:
    with tempfile.TemporaryDirectory() as directory:
        pki = LabPki(Path(directory))
        hostname = "mx.cabinet-ipv6.example"
        context = pki.server_context(CertKind.GOOD, hostname)
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(("::1", 0))
            port = sock.getsockname()[1]
        controller = Controller(
            DiscardHandler(),
            hostname="::1",
            port=port,
            tls_context=context,
            server_hostname=hostname,
        )
        controller.start()
        try:
            probe = probe_smtp(hostname, "::1", port, 2.0, pki.ca_file)
            assert probe.tls is not None and probe.tls.verify_error is None
            assert probe.subject == f"{hostname} (::1)"
            assessment = assess_tls(probe, 2.0)
        finally:
            controller.stop()
    assert assessment.legacy.session is None and assessment.legacy.error is None
    assert assessment.weak.session is None and assessment.weak.error is None
