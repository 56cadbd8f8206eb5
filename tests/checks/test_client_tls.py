"""IMAP, POP3 and submission checks against the lab's client servers (no protocol mocked)."""

from collections import defaultdict

from rgpd_audit import registry
from rgpd_audit.checks.client_tls import ClientDiscoveryFacts, ClientEndpointFacts
from rgpd_audit.config import Nameserver
from rgpd_audit.context import CheckContext
from rgpd_audit.engine import run_checks
from rgpd_audit.lab import Lab
from rgpd_audit.lab.dns_server import DnsServer, load_zones
from rgpd_audit.models import Finding, Status, Target

SPECS = [s for s in registry.discover() if s.meta.id.startswith("mail.client_tls")]
ENCRYPTION = "mail.client_tls.encryption"
CERTIFICATE = "mail.client_tls.certificate"
LOGIN = "mail.client_tls.plaintext_login"


def audit(lab: Lab, domain: str) -> dict[str, list[Finding]]:
    ctx = CheckContext(Target(domain=domain, emails=[]), lab.run_config(timeout=2.0))
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for finding in run_checks(ctx, SPECS).findings:
        grouped[finding.check_id].append(finding)
    return grouped


def scenario(lab: Lab, name: str) -> dict[str, list[Finding]]:
    return audit(lab, lab.scenarios[name].domain)


def evidence(finding: Finding) -> dict[str, object]:
    return {e.label: e.value for e in finding.evidence}


def facts(finding: Finding) -> ClientEndpointFacts:
    assert finding.facts_kind == ClientEndpointFacts.kind
    return ClientEndpointFacts.model_validate(finding.facts)


def discovery(finding: Finding) -> ClientDiscoveryFacts:
    assert finding.facts_kind == ClientDiscoveryFacts.kind
    return ClientDiscoveryFacts.model_validate(finding.facts)


def test_every_announced_service_is_probed_on_the_configured_port(lab: Lab) -> None:
    found = scenario(lab, "client-conforme")
    encryption = found[ENCRYPTION]
    assert [f.status for f in encryption] == [Status.PASS] * 5
    seen = [facts(f) for f in encryption]
    # SRV says 993, 143, 995, 465, 587: each standard port maps to the lab's own.
    expected = {"imaps", "imap", "pop3s", "submissions", "submission"}
    assert {(f.endpoint.service, f.address, f.endpoint.port) for f in seen} == {
        (service, "127.0.0.60", lab.ports[service]) for service in expected
    }
    assert all((f.endpoint.srv_name or "").startswith("_") for f in seen)
    assert all(f.tls is not None and f.tls.version for f in seen)
    assert [f.status for f in found[CERTIFICATE]] == [Status.PASS] * 5
    assert [f.status for f in found[LOGIN]] == [Status.PASS] * 2


def test_clear_text_services_fail_encryption_and_login(lab: Lab) -> None:
    found = scenario(lab, "client-en-clair")
    encryption = found[ENCRYPTION]
    assert len(encryption) == 3 and {f.status for f in encryption} == {Status.FAIL}
    # Nothing offered at all, not a TLS that failed.
    for seen in map(facts, encryption):
        assert (seen.starttls_offered, seen.tls, seen.tls_failure) == (False, None, None)
    logins = {f.subject: f for f in found[LOGIN]}
    assert {f.status for f in logins.values()} == {Status.FAIL}
    imap = next(f for subject, f in logins.items() if subject.startswith("IMAP "))
    assert facts(imap).clear_login == ["LOGIN", "AUTH=PLAIN"]
    # The report shows the mechanisms too (the point of the finding for a reader).
    assert evidence(imap)["Connexion possible avant TLS"] == ["LOGIN", "AUTH=PLAIN"]
    assert {f.status for f in found[CERTIFICATE]} == {Status.NOT_APPLICABLE}


def test_starttls_does_not_excuse_a_password_accepted_before_it(lab: Lab) -> None:
    found = scenario(lab, "client-login-avant-tls")
    assert {f.status for f in found[ENCRYPTION]} == {Status.PASS}
    logins = found[LOGIN]
    assert {f.status for f in logins} == {Status.FAIL}
    submission = next(f for f in logins if f.subject and f.subject.startswith("soumission"))
    seen = facts(submission)
    assert seen.starttls_offered and seen.tls is not None and "AUTH PLAIN" in seen.clear_login


def test_expired_certificate_on_implicit_tls(lab: Lab) -> None:
    found = scenario(lab, "client-cert-expire")
    assert {f.status for f in found[ENCRYPTION]} == {Status.PASS}
    certificates = found[CERTIFICATE]
    assert {f.status for f in certificates} == {Status.FAIL}
    for finding in certificates:
        # Expired, not merely expiring: the control's own severity, no « renew » variant.
        assert finding.severity == finding.check_severity
        seen = facts(finding)
        assert seen.tls is not None and seen.tls.certificate is not None
        assert seen.tls.certificate.not_after < seen.observed_at
    [login] = found[LOGIN]
    assert login.status is Status.NOT_APPLICABLE


def test_no_srv_and_unknown_provider_is_not_evaluated_with_srv_advice(lab: Lab) -> None:
    found = audit(lab, "sans-starttls.fr")
    for check_id in (ENCRYPTION, CERTIFICATE, LOGIN):
        [finding] = found[check_id]
        assert finding.status is Status.INDETERMINATE
        assert finding.error is not None and finding.error.reason == "dns"
    encryption = found[ENCRYPTION][0]
    assert discovery(encryption).endpoints == [] and discovery(encryption).declined == []
    # The advice to publish SRV records, given by the encryption check only.
    assert "_imaps._tcp" in encryption.remediation
    assert "_imaps._tcp" not in found[CERTIFICATE][0].remediation


def test_provider_list_is_used_without_srv_and_flagged_as_unverified(lab: Lab) -> None:
    found = scenario(lab, "client-fournisseur")
    encryption = found[ENCRYPTION]
    assert {f.status for f in encryption} == {Status.INDETERMINATE}
    endpoint = facts(encryption[0]).endpoint
    assert (endpoint.srv_name, endpoint.provider_id, endpoint.verified) == (None, "ovhcloud", False)
    assert endpoint.host == "ssl0.ovh.net"
    assert encryption[0].subject and encryption[0].subject.startswith("ssl0.ovh.net")
    assert evidence(encryption[0])["Hôte à confirmer"] == "non vérifié auprès du fournisseur"


def test_services_declared_absent_by_srv_are_not_applicable(lab: Lab) -> None:
    found = scenario(lab, "client-aucun")
    for check_id in (ENCRYPTION, CERTIFICATE, LOGIN):
        [finding] = found[check_id]
        assert finding.status is Status.NOT_APPLICABLE
        assert discovery(finding).declined


def test_srv_names_are_asked_only_when_tcp_exists(lab: Lab) -> None:
    declined = lab.scenarios["client-aucun"].domain
    with DnsServer(load_zones(), host="127.0.0.1") as server:
        config = lab.run_config(timeout=2.0, nameservers=(Nameserver("127.0.0.1", server.port),))
        for domain in ("sans-starttls.fr", declined):
            run_checks(CheckContext(Target(domain=domain, emails=[]), config), SPECS)
        counts = server.query_counts()
    # RFC 8020: sans-starttls.fr has no _tcp name, hence no SRV under it; one question.
    assert counts[("_tcp.sans-starttls.fr.", "TXT")] == 1
    assert not [key for key in counts if key[0].endswith("._tcp.sans-starttls.fr.")]
    # client-aucun publishes SRV records under _tcp: each service is asked once.
    srv = {key: n for key, n in counts.items() if key[1] == "SRV" and declined in key[0]}
    assert len(srv) == 6 and set(srv.values()) == {1}


def test_unreachable_client_server_is_indeterminate_not_a_failure(lab: Lab) -> None:
    ctx = CheckContext(
        Target(domain=lab.scenarios["client-conforme"].domain, emails=[]),
        # Ports where nothing listens on the lab address: connections are refused.
        lab.run_config(timeout=1.0, ports={**lab.ports, "imaps": 9, "submission": 9}),
    )
    findings = [f for f in run_checks(ctx, SPECS).findings if f.check_id == ENCRYPTION]
    refused = [f for f in findings if f.status is Status.INDETERMINATE]
    assert len(refused) == 2
    assert all(f.error is not None and f.error.reason == "connection" for f in refused)
    assert {facts(f).endpoint.service for f in refused} == {"imaps", "submission"}
    assert all(facts(f).contacted and facts(f).greeting is None for f in refused)
