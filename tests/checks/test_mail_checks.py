"""Mail checks against the real servers of the lab (no protocol is mocked)."""

import datetime as dt
import socket
from collections import defaultdict
from typing import Any

import dns.resolver
import pytest

from rgpd_audit import registry
from rgpd_audit.checks.webmail import WebmailSubject
from rgpd_audit.config import Nameserver
from rgpd_audit.context import CheckContext
from rgpd_audit.engine import run_checks
from rgpd_audit.lab import Lab
from rgpd_audit.lab.scenarios import SCENARIOS as SCENARIO_DEFINITIONS
from rgpd_audit.models import Finding, Status, Target

SPECS = registry.discover()
SCENARIOS = sorted(s.name for s in SCENARIO_DEFINITIONS)


def audit(lab: Lab, domain: str, emails: tuple[str, ...] = (), **config: object) -> list[Finding]:
    ctx = CheckContext(
        Target(domain=domain, emails=list(emails)), lab.run_config(**{"timeout": 2.0, **config})
    )
    return run_checks(ctx, SPECS).findings


def facts(finding: Finding, kind: str) -> dict[str, Any]:
    """The facts of `finding`, which must be of `kind`."""
    assert finding.facts_kind == kind and finding.facts is not None, finding.facts_kind
    return finding.facts


def by_check(findings: list[Finding]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        grouped[finding.check_id].append(finding)
    return grouped


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_gives_the_expected_verdicts(lab: Lab, name: str) -> None:
    scenario = lab.scenarios[name]
    found = by_check(audit(lab, scenario.domain))
    for check_id, expected in scenario.expected.items():
        statuses = {f.status.value for f in found[check_id]}
        assert expected in statuses, f"{check_id}: {statuses}"
        if expected == "pass":
            assert statuses == {"pass"}, f"{check_id}: {statuses}"


def test_expired_and_self_signed_are_both_reported(lab: Lab) -> None:
    [cert] = by_check(audit(lab, lab.scenarios["cert-autosigne-expire"].domain))[
        "mail.tls.certificate"
    ]
    assert cert.status is Status.FAIL
    seen = facts(cert, "tls.certificate")
    assert seen["certificate"]["self_signed"] and seen["verify_error"]["code"] == 18
    expired = dt.datetime.fromisoformat(seen["certificate"]["not_after"])
    assert expired < dt.datetime.fromisoformat(seen["checked_at"])
    problems = next(e.value for e in cert.evidence if e.label == "Problèmes")
    assert isinstance(problems, list) and len(problems) == 2


def test_wrong_name_is_a_certificate_finding_not_a_starttls_failure(lab: Lab) -> None:
    found = by_check(audit(lab, lab.scenarios["cert-autre-nom"].domain))
    assert [f.status for f in found["mail.starttls.offered"]] == [Status.PASS]
    [cert] = found["mail.tls.certificate"]
    assert cert.status is Status.FAIL
    seen = facts(cert, "tls.certificate")
    assert seen["certificate"]["names"] == ["autre-serveur.example.net"]
    assert seen["verify_error"] is None  # trusted: only the name is wrong


def test_certificate_expiring_within_30_days_is_a_medium_severity_failure(lab: Lab) -> None:
    certs = by_check(audit(lab, lab.scenarios["demo"].domain))["mail.tls.certificate"]
    verdicts = {f.subject.split()[0]: (f.status, f.severity.value) for f in certs}
    # The check's own severity: medium, the recommendation ceiling (severity policy).
    assert verdicts["mx1.cabinet-exemple.fr"] == (Status.PASS, "medium")
    assert verdicts["mx2.cabinet-exemple.fr"] == (Status.FAIL, "medium")


def test_untrusted_without_lab_ca(lab: Lab) -> None:
    certs = by_check(audit(lab, lab.scenarios["conforme"].domain, ca_file=None))[
        "mail.tls.certificate"
    ]
    assert certs[0].status is Status.FAIL
    # X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY: the lab's authority is unknown.
    assert facts(certs[0], "tls.certificate")["verify_error"]["code"] == 20


def test_mute_server_is_indeterminate_never_a_failure(lab: Lab) -> None:
    found = by_check(audit(lab, lab.scenarios["mx-muet"].domain, timeout=1.0))
    [starttls] = found["mail.starttls.offered"]
    [cert] = found["mail.tls.certificate"]
    assert facts(cert, "tls.certificate")["server"] == facts(starttls, "smtp.starttls")
    for finding in (starttls, cert):
        assert finding.status is Status.INDETERMINATE
        # TCP connected: the auditor's network is not the cause, so no "port 25 blocked".
        assert finding.error is not None and finding.error.reason == "smtp"
        assert "bannière" in finding.error.message
    seen = facts(starttls, "smtp.starttls")
    assert not seen["unreachable"] and seen["banner"] is None


def test_null_mx_is_reported_as_such(lab: Lab) -> None:
    found = by_check(audit(lab, lab.scenarios["mx-nul"].domain))
    [mx] = found["mail.mx.present"]
    assert mx.status is Status.PASS and facts(mx, "mx.exchangers")["null_mx"]
    assert found["mail.starttls.offered"][0].status is Status.NOT_APPLICABLE


def test_consumer_mx_names_the_provider(lab: Lab) -> None:
    [provider] = by_check(audit(lab, lab.scenarios["mx-grand-public"].domain))[
        "mail.provider.consumer"
    ]
    assert provider.status is Status.FAIL and provider.subject == "smtp-in.orange.fr"
    assert provider.facts_kind == WebmailSubject.kind
    seen = WebmailSubject.model_validate(provider.facts)
    assert seen.via == "mx" and seen.provider is not None
    assert (seen.provider.id, seen.provider.kind) == ("orange", "consumer")


def test_consumer_contact_address_fails_even_with_a_good_domain(lab: Lab) -> None:
    findings = audit(lab, lab.scenarios["conforme"].domain, emails=("dr.dupont@gmail.com",))
    [provider] = by_check(findings)["mail.provider.consumer"]
    assert provider.status is Status.FAIL and provider.subject == "dr.dupont@gmail.com"
    seen = WebmailSubject.model_validate(provider.facts)
    assert seen.via == "address" and seen.provider is not None and seen.provider.id == "gmail"


def test_dead_resolver_gives_indeterminate_findings_not_a_crash(lab: Lab) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        dead_port = sock.getsockname()[1]
    # Nothing listens on this port any more: every query times out.
    findings = audit(
        lab, "cabinet-conforme.fr", nameservers=(Nameserver("127.0.0.1", dead_port),), timeout=0.5
    )
    # Checks that judge declared facts (answers, register) use no network at all.
    networked = [f for f in findings if f.check_id.startswith(("mail.", "dns."))]
    assert {f.status for f in networked} == {Status.INDETERMINATE}
    assert {f.error.reason for f in networked if f.error} <= {"timeout", "dns"}


def test_overall_deadline_turns_slow_checks_into_indeterminate(lab: Lab) -> None:
    findings = audit(lab, lab.scenarios["mx-muet"].domain, timeout=5.0, deadline=0.5)
    slow = [f for f in findings if f.check_id == "mail.starttls.offered"]
    assert slow[0].status is Status.INDETERMINATE
    assert "durée maximale" in slow[0].summary


def test_consumer_address_is_flagged_even_when_dns_fails(lab: Lab) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        dead_port = sock.getsockname()[1]
    findings = audit(
        lab,
        "cabinet-conforme.fr",
        emails=("cabinet@gmail.com",),
        nameservers=(Nameserver("127.0.0.1", dead_port),),
        timeout=0.5,
    )
    [provider] = by_check(findings)["mail.provider.consumer"]
    assert provider.status is Status.FAIL and provider.subject == "cabinet@gmail.com"


def test_nothing_reachable_points_at_the_auditors_network(lab: Lab) -> None:
    found = by_check(audit(lab, lab.scenarios["mx-filtre"].domain, timeout=1.0))
    for check_id in ("mail.starttls.offered", "mail.tls.certificate"):
        [finding] = found[check_id]
        assert finding.status is Status.INDETERMINATE
        assert finding.error is not None and finding.error.reason == "blocked"
        servers = facts(finding, "smtp.unreachable")["servers"]
        assert servers and all(s["unreachable"] for s in servers)
        # The wording is the point: the auditor is told to suspect port 25 on their side.
        assert "port" in finding.summary and "25" in finding.summary


def test_rate_limited_server_is_not_testable_with_its_reply(lab: Lab) -> None:
    [starttls] = by_check(audit(lab, lab.scenarios["mx-421"].domain))["mail.starttls.offered"]
    assert starttls.status is Status.INDETERMINATE
    assert starttls.error is not None and "421" in starttls.error.message
    assert facts(starttls, "smtp.starttls")["error"]["message"] == starttls.error.message


def test_starttls_refused_for_now_is_retried_later_not_failed(lab: Lab) -> None:
    found = by_check(audit(lab, lab.scenarios["starttls-refuse"].domain))
    [starttls] = found["mail.starttls.offered"]
    assert starttls.status is Status.INDETERMINATE
    failure = facts(starttls, "smtp.starttls")["tls_failure"]
    assert failure["temporary"] and "454" in failure["message"]


def test_broken_tls_handshake_is_a_failure_and_no_certificate(lab: Lab) -> None:
    found = by_check(audit(lab, lab.scenarios["tls-casse"].domain))
    [starttls] = found["mail.starttls.offered"]
    assert starttls.status is Status.FAIL
    seen = facts(starttls, "smtp.starttls")
    assert seen["starttls_offered"] and not seen["tls_established"]
    assert seen["tls_failure"] is not None and not seen["tls_failure"]["temporary"]
    assert found["mail.tls.certificate"][0].status is Status.INDETERMINATE


def test_pre_esmtp_server_cannot_offer_starttls(lab: Lab) -> None:
    found = by_check(audit(lab, lab.scenarios["ehlo-refuse"].domain))
    [starttls] = found["mail.starttls.offered"]
    assert starttls.status is Status.FAIL
    seen = facts(starttls, "smtp.starttls")
    assert not seen["esmtp"] and not seen["starttls_offered"]
    assert found["mail.tls.certificate"][0].status is Status.NOT_APPLICABLE


def test_unresolvable_backup_mx_does_not_void_the_main_one(lab: Lab) -> None:
    found = by_check(audit(lab, lab.scenarios["mx-secours"].domain))
    [mx] = found["mail.mx.present"]
    assert mx.status is Status.INDETERMINATE
    assert mx.error is not None and mx.error.reason == "dns"
    hosts = {x["host"]: x for x in facts(mx, "mx.exchangers")["exchangers"]}
    assert hosts["mx.zone-absente.example"]["addresses"] == []
    assert hosts["mx.zone-absente.example"]["lookup_errors"]
    assert [f.status for f in found["mail.starttls.offered"]] == [Status.PASS]
    assert [f.status for f in found["mail.tls.certificate"]] == [Status.PASS]


def test_server_stuck_on_tls_1_0_is_described_not_declared_broken(lab: Lab) -> None:
    found = by_check(audit(lab, lab.scenarios["tls-obsolete"].domain))
    [starttls] = found["mail.starttls.offered"]
    assert starttls.status is Status.PASS
    assert facts(starttls, "smtp.starttls")["tls_version"] == "TLSv1"
    [cert] = found["mail.tls.certificate"]
    assert cert.status is Status.PASS
    assert {e.label: e.value for e in cert.evidence}["Version TLS"] == "TLSv1"


def test_the_well_run_practice_passes_every_installed_check(lab: Lab) -> None:
    # cabinet-conforme.fr publishes everything the suite looks at (SPF, DKIM, DMARC, MTA-STS,
    # TLS-RPT, DNSSEC, DANE, client SRV records): a check that fails there is a false positive.
    findings = audit(lab, lab.scenarios["conforme"].domain)
    assert {f.check_id for f in findings} == {spec.meta.id for spec in SPECS}
    wrong = [
        (f.check_id, f.status.value, f.summary)
        for f in findings
        if f.status.value not in ("pass", "not_applicable")
    ]
    assert not wrong
    passed = [f for f in findings if f.status is Status.PASS]
    assert len({f.check_id for f in passed}) >= 30


def test_records_to_publish_name_the_audited_domain(lab: Lab) -> None:
    domain = lab.scenarios["demo"].domain
    findings = audit(lab, domain)
    assert not [f.check_id for f in findings if "<domaine>" in f.remediation]
    [policy] = by_check(findings)["mail.dmarc.policy"]
    assert policy.status is Status.FAIL
    assert f"rua=mailto:dmarc@{domain}" in policy.remediation


def test_servers_from_resolv_conf_are_asked_for_signed_answers_too(lab: Lab) -> None:
    # Without --nameserver, dnspython lists the servers of /etc/resolv.conf as bare address
    # strings (port apart): DNSSEC validation must use them like --nameserver entries.
    ctx = CheckContext(Target(domain="cabinet-conforme.fr"), lab.run_config(timeout=2.0))
    system_like = dns.resolver.Resolver(configure=False)
    system_like.nameservers = ["127.0.0.1"]
    system_like.port = lab.dns_port
    system_like.timeout = system_like.lifetime = 2.0
    ctx.resolver = system_like
    chain = [spec for spec in SPECS if spec.meta.id in ("dns.dnssec.chain", "mail.mx.present")]
    statuses = {f.check_id: f.status for f in run_checks(ctx, chain).findings}
    assert statuses == {"dns.dnssec.chain": Status.PASS, "mail.mx.present": Status.PASS}
