"""Hostile mail servers: every one ends in an indeterminate finding, with its reason, in bounded
time and memory. Short timeouts keep these tests fast."""

import tracemalloc
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

from rgpd_audit import registry
from rgpd_audit.context import CheckContext
from rgpd_audit.engine import run_checks
from rgpd_audit.lab import Lab
from rgpd_audit.lab.misbehaving_smtp import FLOOD_BYTES
from rgpd_audit.lab.scenarios import HOSTS
from rgpd_audit.models import Finding, Status, Target
from rgpd_audit.net.mail_client import probe_client
from rgpd_audit.net.smtp import MAX_REPLY_LINES, probe_smtp

T = TypeVar("T")
TIMEOUT = 0.5
SPECS = [s for s in registry.discover() if s.meta.id.startswith(("mail.tls", "mail.starttls"))]
TLS_FACTS = {
    "mail.tls.certificate": "tls.certificate",
    "mail.tls.versions": "tls.versions",
    "mail.tls.ciphers": "tls.ciphers",
    "mail.tls.certificate_key": "tls.certificate_key",
    "mail.tls.chain": "tls.chain",
}
# Far below the 1 MiB the hostile servers send: whatever they send is never kept whole.
MEMORY_BOUND = FLOOD_BYTES // 2


def audit(lab: Lab, name: str) -> dict[str, list[Finding]]:
    target = Target(domain=lab.scenarios[name].domain, emails=[])
    ctx = CheckContext(target, lab.run_config(timeout=TIMEOUT))
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for finding in run_checks(ctx, SPECS).findings:
        grouped[finding.check_id].append(finding)
    return grouped


def facts(finding: Finding, kind: str) -> dict[str, Any]:
    """The facts of `finding`, which must be of `kind`."""
    assert finding.facts_kind == kind and finding.facts is not None, finding.facts_kind
    return finding.facts


def host(name: str) -> tuple[str, str]:
    [lab_host] = [h for h in HOSTS if h.scenario == name]
    return lab_host.hostname, lab_host.address


def with_peak(call: Callable[[], T]) -> tuple[T, int]:
    """What `call()` returns, and the peak memory allocated while it ran."""
    tracemalloc.start()
    try:
        result = call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("hostile-banniere", "smtp"),
        # A byte per second against a 0.5 s read timeout: the greeting is late (the overall
        # deadline, for longer timeouts, has its own test below).
        ("hostile-goutte", "smtp"),
        ("hostile-negociation", "timeout"),
        ("hostile-dechets", "tls"),
        ("hostile-liste-grise", "smtp"),
    ],
)
def test_hostile_server_gives_indeterminate_tls_findings_with_a_reason(
    lab: Lab, name: str, reason: str
) -> None:
    found = audit(lab, name)
    [starttls] = found["mail.starttls.offered"]
    for check_id, kind in TLS_FACTS.items():
        [finding] = found[check_id]
        assert finding.status is Status.INDETERMINATE, check_id
        assert finding.error is not None and finding.error.reason == reason, finding.error
        # Every verdict keeps what the one conversation with the server showed.
        assert facts(finding, kind)["server"] == facts(starttls, "smtp.starttls")


def test_huge_banner_is_cut_short_with_bounded_memory(lab: Lab) -> None:
    probe, peak = with_peak(
        lambda: probe_smtp(*host("hostile-banniere"), lab.smtp_port, TIMEOUT, lab.ca_file)
    )
    assert probe.error is not None and f"plus de {MAX_REPLY_LINES} lignes" in probe.error.message
    assert peak < MEMORY_BOUND


def test_drip_server_is_stopped_by_the_overall_deadline(lab: Lab) -> None:
    # Each byte arrives well within the per-read timeout: only the deadline can end this.
    probe = probe_smtp(*host("hostile-goutte"), lab.smtp_port, 1.5, lab.ca_file)
    assert probe.error is not None and probe.error.reason == "timeout"
    assert "délai total" in probe.error.message
    assert not probe.unreachable


def test_stalled_handshake_is_not_testable_never_no_starttls(lab: Lab) -> None:
    found = audit(lab, "hostile-negociation")
    [starttls] = found["mail.starttls.offered"]
    assert starttls.status is Status.INDETERMINATE
    assert starttls.error is not None and starttls.error.reason == "timeout"
    seen = facts(starttls, "smtp.starttls")
    assert seen["starttls_offered"] and seen["tls_failure"]["temporary"]


def test_garbage_after_starttls_with_bounded_memory(lab: Lab) -> None:
    probe, peak = with_peak(
        lambda: probe_smtp(*host("hostile-dechets"), lab.smtp_port, TIMEOUT, lab.ca_file)
    )
    assert probe.starttls_offered and probe.tls is None
    assert probe.tls_failure is not None and not probe.tls_failure.temporary
    assert peak < MEMORY_BOUND


def test_greylisting_is_not_testable_never_no_starttls(lab: Lab) -> None:
    [starttls] = audit(lab, "hostile-liste-grise")["mail.starttls.offered"]
    assert starttls.status is Status.INDETERMINATE
    assert starttls.error is not None and "451" in starttls.error.message


def test_client_probe_has_the_same_bounds(lab: Lab) -> None:
    # The hostile SMTP servers, spoken to as submission servers by the client probe.
    dripping = probe_client("submission", *host("hostile-goutte"), lab.smtp_port, 1.5, None)
    assert dripping.error is not None and dripping.error.reason == "timeout"
    assert "délai total" in dripping.error.message
    flooding, peak = with_peak(
        lambda: probe_client("submission", *host("hostile-banniere"), lab.smtp_port, 1.0, None)
    )
    assert flooding.error is not None and "démesurée" in flooding.error.message
    assert peak < MEMORY_BOUND
    stalled = probe_client("submission", *host("hostile-negociation"), lab.smtp_port, 0.5, None)
    assert stalled.starttls_offered and stalled.tls is None
    assert stalled.tls_failure is not None and stalled.tls_failure.temporary
