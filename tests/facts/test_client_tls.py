"""mail.client_tls.* judged from constructed facts (no network)."""

import datetime as dt

import pytest
from pydantic import ValidationError

from rgpd_audit.checks.client_tls import (
    ClientDiscoveryFacts,
    ClientEndpointFacts,
    Endpoint,
    Failure,
    Judge,
    Observation,
    TlsFacts,
    TlsFailure,
    judge_certificate,
    judge_discovery,
    judge_encryption,
    judge_observation,
    judge_plaintext_login,
)
from rgpd_audit.models import CheckResult, Severity, Status
from rgpd_audit.plugin import MAX_SRV_PER_SERVICE, ObservedCertificate, OverLimit, VerifyError

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
HOST = "mail.cabinet.fr"


def endpoint(service: str = "imaps", port: int = 993, **fields: object) -> Endpoint:
    values: dict[str, object] = {
        "service": service,
        "host": HOST,
        "port": port,
        "srv_name": f"_{service}._tcp.cabinet.fr",
    }
    return Endpoint.model_validate({**values, **fields})


def certificate(days_left: int = 200, names: tuple[str, ...] = (HOST,)) -> ObservedCertificate:
    return ObservedCertificate(
        subject=f"CN={HOST}",
        common_name=HOST,
        issuer="CN=Autorité Test",
        names=list(names),
        not_before=NOW - dt.timedelta(days=30),
        not_after=NOW + dt.timedelta(days=days_left, hours=1),
        serial="1a",
        sha256="ab" * 32,
        key="RSA 2048 bits",
        signature_algorithm="SHA256",
        self_signed=False,
        key_bits=2048,
    )


def seen(service: str = "imaps", port: int = 993, **fields: object) -> ClientEndpointFacts:
    values: dict[str, object] = {
        "endpoint": endpoint(service, port),
        "address": "192.0.2.10",
        "contacted": True,
        "observed_at": NOW,
        "greeting": "* OK IMAP ready",
    }
    return ClientEndpointFacts.model_validate({**values, **fields})


def encrypted(**tls: object) -> TlsFacts:
    return TlsFacts.model_validate(
        {"version": "TLSv1.3", "cipher": "TLS_AES_128_GCM_SHA256", "certificate": certificate()}
        | tls
    )


def evidence(result: CheckResult) -> dict[str, object]:
    return {e.label: e.value for e in result.evidence}


def discovery(*endpoints: Endpoint, declined: tuple[str, ...] = ()) -> ClientDiscoveryFacts:
    return ClientDiscoveryFacts(
        domain="cabinet.fr", endpoints=list(endpoints), declined=list(declined)
    )


# --- discovery ------------------------------------------------------------------------------


def test_services_declared_absent_are_not_applicable_and_listed() -> None:
    result = judge_discovery(discovery(declined=("imaps", "pop3s")), advice=True)
    assert result.status is Status.NOT_APPLICABLE
    assert evidence(result) == {"Services déclarés absents": ["imaps", "pop3s"]}


@pytest.mark.parametrize(("advice", "key"), [(True, "no_srv"), (False, None)])
def test_nothing_found_is_not_evaluated_and_only_one_check_advises(
    advice: bool, key: str | None
) -> None:
    result = judge_discovery(discovery(), advice=advice)
    assert result.status is Status.INDETERMINATE
    assert result.error is not None and result.error.reason == "dns"
    assert result.remediation_key == key
    assert result.evidence == []


def test_observation_without_endpoint_is_judged_on_the_discovery() -> None:
    observed = Observation(discovery(declined=("imap",)))
    for judge_one in (judge_encryption, judge_certificate):
        [result] = judge_observation(observed, judge_one, plain_only=False)
        assert result.status is Status.NOT_APPLICABLE


def test_login_check_skips_implicit_tls_services() -> None:
    implicit = seen()
    observed = Observation(discovery(implicit.endpoint), (implicit,))
    [result] = judge_observation(observed, judge_plaintext_login, plain_only=True)
    assert result.status is Status.NOT_APPLICABLE
    assert isinstance(result.facts, ClientDiscoveryFacts) and result.evidence == []


def test_srv_endpoints_beyond_the_cap_are_one_limit_result() -> None:
    probed = seen("imap", 143, tls=encrypted())
    over = (endpoint("imap", 1143), endpoint("imaps", 1993))
    observed = Observation(discovery(probed.endpoint), (probed,), over)
    *_, limit = judge_observation(observed, judge_encryption, plain_only=False)
    assert limit.status is Status.INDETERMINATE
    assert limit.error is not None and limit.error.reason == "limit"
    assert isinstance(limit.facts, OverLimit) and limit.facts.max_hosts == MAX_SRV_PER_SERVICE
    assert limit.facts.untested == [
        f"IMAP {HOST} port 1143",
        f"IMAP (TLS implicite) {HOST} port 1993",
    ]
    # The login check leaves the implicit TLS endpoints out of its own limit.
    *_, login_limit = judge_observation(observed, judge_plaintext_login, plain_only=True)
    assert isinstance(login_limit.facts, OverLimit)
    assert login_limit.facts.untested == [f"IMAP {HOST} port 1143"]


# --- endpoints without a conversation -------------------------------------------------------

ALL_JUDGES = (judge_encryption, judge_certificate, judge_plaintext_login)


@pytest.mark.parametrize("judge", ALL_JUDGES)
def test_private_address_is_not_contacted_by_any_check(judge: Judge) -> None:
    facts = seen(
        "imap",
        143,
        contacted=False,
        greeting=None,
        skipped="private_address",
        address="10.0.0.1",
    )
    result = judge(facts)
    assert result.status is Status.INDETERMINATE
    assert result.error is not None and result.error.reason == "private_address"
    assert result.subject == f"IMAP {HOST} (10.0.0.1, port 143)"
    assert "Serveur" not in evidence(result)


@pytest.mark.parametrize("judge", ALL_JUDGES)
def test_addresses_beyond_the_cap_are_one_result_per_endpoint(judge: Judge) -> None:
    facts = seen(contacted=False, greeting=None, address=None, skipped="limit", skipped_addresses=3)
    result = judge(facts)
    assert result.status is Status.INDETERMINATE
    assert result.error is not None and result.error.reason == "limit"
    assert result.error.message.startswith("non testé (limite) : 3 adresse(s)")
    assert result.subject == f"{HOST} (imaps)"


def test_host_without_address_is_named_by_its_service() -> None:
    facts = seen(
        contacted=False, address=None, greeting=None, error=Failure(reason="dns", message="x")
    )
    result = judge_encryption(facts)
    assert result.status is Status.INDETERMINATE and result.subject == f"{HOST} (imaps)"


def test_an_address_not_contacted_must_say_why() -> None:
    with pytest.raises(ValidationError):
        seen(contacted=False, greeting=None)


@pytest.mark.parametrize("judge", ALL_JUDGES)
def test_no_ipv6_route_on_the_auditor_side_is_not_applicable(judge: Judge) -> None:
    facts = seen(
        "imap",
        143,
        no_route=True,
        greeting=None,
        error=Failure(reason="connection", message="réseau injoignable"),
    )
    assert judge(facts).status is Status.NOT_APPLICABLE


@pytest.mark.parametrize("judge", ALL_JUDGES)
def test_connection_failure_is_indeterminate_with_its_reason(judge: Judge) -> None:
    facts = seen(greeting=None, error=Failure(reason="timeout", message="pas de réponse en 2 s"))
    result = judge(facts)
    assert result.status is Status.INDETERMINATE
    assert result.error is not None and result.error.reason == "timeout"
    assert evidence(result)["Serveur"] == "192.0.2.10 port 993"


# --- encryption -----------------------------------------------------------------------------


def test_implicit_tls_passes_and_shows_how_the_server_was_found() -> None:
    result = judge_encryption(seen(tls=encrypted()))
    assert result.status is Status.PASS
    assert result.subject == f"IMAP (TLS implicite) {HOST} (192.0.2.10, port 993)"
    assert evidence(result) == {
        "Service": "IMAP (TLS implicite)",
        "Découvert par": "SRV _imaps._tcp.cabinet.fr",
        "Serveur": "192.0.2.10 port 993",
        "Accueil": "* OK IMAP ready",
    }


def test_starttls_passes_with_the_rfc_8314_advice() -> None:
    result = judge_encryption(seen("imap", 143, starttls_offered=True, tls=encrypted()))
    assert result.status is Status.PASS
    assert "RFC 8314" in result.summary


def test_temporary_tls_failure_is_indeterminate() -> None:
    failure = TlsFailure(reason="timeout", message="TLS non abouti : délai", temporary=True)
    for judge in (judge_encryption, judge_certificate):
        result = judge(seen("imap", 143, starttls_offered=True, tls_failure=failure))
        assert result.status is Status.INDETERMINATE
        assert result.error is not None and result.error.reason == "timeout"


def test_broken_tls_fails_encryption() -> None:
    failure = TlsFailure(reason="tls", message="négociation TLS impossible", temporary=False)
    result = judge_encryption(seen("imap", 143, starttls_offered=True, tls_failure=failure))
    assert result.status is Status.FAIL and result.severity is None


def test_no_starttls_fails_encryption() -> None:
    result = judge_encryption(seen("pop3", 110, starttls_offered=False))
    assert result.status is Status.FAIL


def test_provider_list_host_is_flagged_unverified() -> None:
    from_list = endpoint(
        srv_name=None, provider="OVHcloud", provider_mx="mx1.ovh.net", verified=False
    )
    result = judge_encryption(seen(endpoint=from_list, tls=encrypted()))
    shown = evidence(result)
    assert shown["Découvert par"] == "liste de l'outil : hôtes de OVHcloud (MX mx1.ovh.net)"
    assert shown["Hôte à confirmer"] == "non vérifié auprès du fournisseur"


# --- certificate ----------------------------------------------------------------------------


def test_no_tls_means_no_certificate_to_judge() -> None:
    result = judge_certificate(seen("pop3", 110))
    assert result.status is Status.NOT_APPLICABLE and result.evidence == []


def test_missing_certificate_is_indeterminate() -> None:
    result = judge_certificate(seen(tls=encrypted(certificate=None)))
    assert result.status is Status.INDETERMINATE
    assert result.error is not None and result.error.reason == "tls"


def test_valid_certificate_passes_with_its_details() -> None:
    result = judge_certificate(seen(tls=encrypted()))
    assert result.status is Status.PASS
    shown = evidence(result)
    assert shown["Jours restants"] == 200
    assert shown["Noms couverts"] == [HOST]
    assert shown["Empreinte SHA-256"] == "ab" * 32
    assert "Problèmes" not in shown


@pytest.mark.parametrize(
    ("days", "severity"), [(45, Severity.LOW), (10, Severity.MEDIUM)], ids=["60j", "30j"]
)
def test_certificate_near_expiry_fails_with_a_lower_severity(days: int, severity: Severity) -> None:
    result = judge_certificate(seen(tls=encrypted(certificate=certificate(days))))
    assert result.status is Status.FAIL
    assert (result.severity, result.remediation_key) == (severity, "expiring")


def test_certificate_is_judged_at_the_time_it_was_seen() -> None:
    facts = seen(tls=encrypted(certificate=certificate(200)))
    later = facts.model_copy(update={"observed_at": NOW + dt.timedelta(days=300)})
    result = judge_certificate(later)
    assert result.status is Status.FAIL and result.severity is None
    assert result.remediation_key is None
    problems = evidence(result)["Problèmes"]
    assert isinstance(problems, list) and any("expiré" in p for p in problems)


def test_wrong_name_and_refused_chain_are_all_listed() -> None:
    tls = encrypted(
        certificate=certificate(names=("autre.example",)),
        verify_error=VerifyError(code=20, message="unable to get local issuer certificate"),
    )
    result = judge_certificate(seen(tls=tls))
    assert result.status is Status.FAIL
    problems = evidence(result)["Problèmes"]
    assert isinstance(problems, list) and len(problems) == 2


# --- login before TLS -----------------------------------------------------------------------


def test_password_offered_before_tls_fails_with_the_mechanisms() -> None:
    facts = seen("imap", 143, starttls_offered=True, clear_login=["LOGIN", "AUTH=PLAIN"])
    result = judge_plaintext_login(facts)
    assert result.status is Status.FAIL
    assert evidence(result)["Connexion possible avant TLS"] == ["LOGIN", "AUTH=PLAIN"]


def test_no_password_before_tls_passes() -> None:
    result = judge_plaintext_login(seen("submission", 587, starttls_offered=True, tls=encrypted()))
    assert result.status is Status.PASS and result.facts is not None


def test_facts_survive_audit_json() -> None:
    facts = seen(tls=encrypted(verify_error=VerifyError(code=18, message="self signed")))
    assert ClientEndpointFacts.model_validate_json(facts.model_dump_json()) == facts
