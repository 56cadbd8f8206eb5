"""The mail.mta_sts.* checks judged from constructed facts (no network)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rgpd_audit.checks import mta_sts
from rgpd_audit.checks.mta_sts import (
    COVERAGE_MODE_NONE,
    MtaStsPolicyFacts,
    MtaStsRecordFacts,
    MxCoverageFacts,
    MxTlsFacts,
    StsPolicyFields,
    gather_mx_coverage,
    judge_mode,
    judge_mx_coverage,
    judge_mx_tls,
    judge_policy,
    judge_record,
    policy_to_examine,
)
from rgpd_audit.context import MailExchanger, MxSet
from rgpd_audit.engine import to_finding
from rgpd_audit.models import CheckMeta, CheckResult, ErrorInfo, Finding, Severity, Status
from rgpd_audit.net.certificates import CertificateInfo
from rgpd_audit.net.smtp import SmtpProbe, TlsFailure, TlsSession
from rgpd_audit.plugin import ObservedCertificate
from rgpd_audit.registry import fact_types

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
URL = "https://mta-sts.cabinet.fr/.well-known/mta-sts.txt"
LINES = ["version: STSv1", "mode: enforce", "mx: mx.cabinet.fr", "max_age: 604800"]


def evidence(result: CheckResult) -> dict[str, object]:
    return {e.label: e.value for e in result.evidence}


def policy_fields(**fields: object) -> StsPolicyFields:
    given = {
        "version": "STSv1",
        "mode": "enforce",
        "max_age": 604800,
        "mx": ["mx.cabinet.fr"],
        "line_endings": "LF",
        **fields,
    }
    return StsPolicyFields.model_validate(given)


def fetched(**fields: object) -> MtaStsPolicyFacts:
    """A policy served as RFC 8461 wants it, with `fields` changed."""
    given = {
        "domain": "cabinet.fr",
        "receives_mail": True,
        "record_valid": True,
        "url": URL,
        "http_status": 200,
        "content_type": "text/plain; charset=utf-8",
        "lines": LINES,
        "policy": policy_fields(),
        **fields,
    }
    return MtaStsPolicyFacts.model_validate(given)


# --- mail.mta_sts.record -----------------------------------------------------------------


def record(**fields: object) -> MtaStsRecordFacts:
    given = {"domain": "cabinet.fr", "receives_mail": True, "mx_hosts": ["mx.cabinet.fr"]}
    return MtaStsRecordFacts.model_validate({**given, **fields})


def test_record_without_mail_is_not_applicable_and_shows_nothing() -> None:
    result = judge_record(MtaStsRecordFacts(domain="cabinet.fr", receives_mail=False))
    assert result.status is Status.NOT_APPLICABLE and result.evidence == []


def test_valid_record_passes_and_keeps_its_facts() -> None:
    given = record(texts=["v=STSv1; id=2026"], records=["v=STSv1; id=2026"], policy_id="2026")
    result = judge_record(given)
    assert result.status is Status.PASS and result.facts == given
    assert evidence(result) == {"_mta-sts.cabinet.fr TXT": ["v=STSv1; id=2026"]}


def test_missing_record_fails_with_its_own_remediation_and_what_to_publish() -> None:
    result = judge_record(record(texts=["v=spf1 -all"]))
    assert (result.status, result.remediation_key, result.severity) == (
        Status.FAIL,
        "absent",
        None,
    )
    assert evidence(result)["À publier"] == [
        '_mta-sts.cabinet.fr. IN TXT "v=STSv1; id=1;"',
        "Fichier https://mta-sts.cabinet.fr/.well-known/mta-sts.txt (text/plain) :",
        "version: STSv1",
        "mode: testing",
        "mx: mx.cabinet.fr",
        "max_age: 604800",
    ]


def test_no_txt_at_all_is_shown_as_absent() -> None:
    assert evidence(judge_record(record()))["_mta-sts.cabinet.fr TXT"] == "absent"


@pytest.mark.parametrize(
    ("records", "syntax_error"),
    [(["v=STSv1; id=1", "v=STSv1; id=2"], None), (["v=STSv1; id=!"], "id invalide")],
)
def test_several_or_invalid_records_fail_with_the_generic_remediation(
    records: list[str], syntax_error: str | None
) -> None:
    result = judge_record(record(texts=records, records=records, syntax_error=syntax_error))
    assert (result.status, result.remediation_key) == (Status.FAIL, None)
    assert "À publier" not in evidence(result)


# --- mail.mta_sts.policy -----------------------------------------------------------------


def test_policy_served_as_expected_passes_with_what_was_served() -> None:
    given = fetched()
    result = judge_policy(given)
    assert result.status is Status.PASS and result.facts == given
    assert evidence(result) == {
        "URL": URL,
        "Réponse HTTP": 200,
        "Content-Type": "text/plain; charset=utf-8",
        "Politique": LINES,
    }


@pytest.mark.parametrize(
    "given",
    [
        MtaStsPolicyFacts(domain="cabinet.fr", receives_mail=False),
        MtaStsPolicyFacts(domain="cabinet.fr", receives_mail=True, record_valid=False),
    ],
)
def test_nothing_to_fetch_is_not_applicable_for_every_policy_check(
    given: MtaStsPolicyFacts,
) -> None:
    for result in (judge_policy(given), judge_mode(given)):
        assert result.status is Status.NOT_APPLICABLE and result.evidence == []
    assert isinstance(policy_to_examine(given, COVERAGE_MODE_NONE), CheckResult)


@pytest.mark.parametrize("status", [500, 503, 429])
def test_passing_server_error_is_indeterminate_for_every_policy_check(status: int) -> None:
    given = fetched(http_status=status, lines=None, policy=None)
    for result in (judge_policy(given), judge_mode(given), policy_to_examine(given, "…")):
        assert isinstance(result, CheckResult)
        assert result.status is Status.INDETERMINATE and result.error is not None
        assert result.error.reason == "connection" and result.evidence == []


@pytest.mark.parametrize("failure", ["host_not_found", "not_routable", "certificate_rejected"])
def test_policy_that_cannot_be_downloaded_fails_without_http_evidence(failure: str) -> None:
    given = fetched(
        fetch_failure=failure,
        fetch_error="erreur observée",
        http_status=None,
        content_type=None,
        lines=None,
        policy=None,
    )
    result = judge_policy(given)
    assert (result.status, result.severity, result.evidence) == (Status.FAIL, None, [])
    assert "erreur observée" in result.summary


@pytest.mark.parametrize(
    "fields",
    [
        {"http_status": 301, "location": "https://ailleurs.fr/"},
        {"http_status": 404},
        {"truncated": True},
        {"non_ascii": True},
        {"syntax_error": "mode inconnu"},
    ],
)
def test_policy_senders_cannot_use_fails_at_full_severity(fields: dict[str, object]) -> None:
    given = fetched(**{"lines": None, "policy": None, **fields})
    result = judge_policy(given)
    assert (result.status, result.severity) == (Status.FAIL, None)
    assert evidence(result)["Réponse HTTP"] == fields.get("http_status", 200)
    for dependent in (judge_mode(given), policy_to_examine(given, COVERAGE_MODE_NONE)):
        assert isinstance(dependent, CheckResult)
        assert dependent.status is Status.NOT_APPLICABLE


def test_redirect_names_where_it_leads() -> None:
    result = judge_policy(fetched(http_status=302, location="https://ailleurs.fr/", policy=None))
    assert "https://ailleurs.fr/" in result.summary and "RFC 8461 §3.3" in result.summary


def test_policy_text_is_shown_even_when_it_does_not_parse() -> None:
    result = judge_policy(fetched(lines=["version: STSv2"], policy=None, syntax_error="version"))
    assert evidence(result)["Politique"] == ["version: STSv2"]


def test_wrong_media_type_fails_at_full_severity_even_with_a_usable_policy() -> None:
    result = judge_policy(fetched(content_type="text/html"))
    assert (result.status, result.severity) == (Status.FAIL, None)
    assert "text/html" in result.summary
    # The policy itself is readable: the other checks still judge it.
    assert judge_mode(fetched(content_type="text/html")).status is Status.PASS


@pytest.mark.parametrize(
    "policy", [policy_fields(max_age=86400), policy_fields(line_endings="mixte")]
)
def test_remarks_alone_are_a_low_severity_failure(policy: StsPolicyFields) -> None:
    result = judge_policy(fetched(policy=policy))
    assert (result.status, result.severity) == (Status.FAIL, Severity.LOW)


def test_short_max_age_is_explained() -> None:
    # The wording is the point: the reader must learn why a short max_age matters.
    result = judge_policy(fetched(policy=policy_fields(max_age=86400)))
    assert "moins d'une semaine" in result.summary


# --- mail.mta_sts.mode -------------------------------------------------------------------


def test_enforce_mode_passes() -> None:
    result = judge_mode(fetched())
    assert result.status is Status.PASS and evidence(result) == {"mode": "enforce"}


@pytest.mark.parametrize("mode", ["testing", "none"])
def test_other_modes_fail_each_with_its_remediation(mode: str) -> None:
    result = judge_mode(fetched(policy=policy_fields(mode=mode)))
    assert (result.status, result.severity, result.remediation_key) == (Status.FAIL, None, mode)
    assert evidence(result) == {"mode": mode}


# --- mail.mta_sts.mx_coverage ------------------------------------------------------------


def test_policy_in_mode_none_leaves_mx_coverage_and_tls_not_applicable() -> None:
    given = fetched(policy=policy_fields(mode="none"))
    for summary in (mta_sts.COVERAGE_MODE_NONE, mta_sts.MX_TLS_MODE_NONE):
        result = policy_to_examine(given, summary)
        assert isinstance(result, CheckResult)
        assert (result.status, result.summary) == (Status.NOT_APPLICABLE, summary)
    assert policy_to_examine(fetched(), COVERAGE_MODE_NONE) == policy_fields()


def test_coverage_is_gathered_from_the_published_mx() -> None:
    mx = MxSet(
        exists=True,
        null_mx=False,
        exchangers=(
            MailExchanger(10, "mx1.cabinet.fr", ("192.0.2.1",)),
            MailExchanger(20, "secours.autre.fr", ("192.0.2.2",)),
        ),
    )
    coverage = gather_mx_coverage(policy_fields(mx=["*.cabinet.fr"]), mx)
    assert coverage.mx_hosts == ["mx1.cabinet.fr", "secours.autre.fr"]
    assert coverage.uncovered == ["secours.autre.fr"]


def coverage(mode: str = "enforce", uncovered: tuple[str, ...] = ()) -> MxCoverageFacts:
    return MxCoverageFacts.model_validate(
        {
            "mode": mode,
            "patterns": ["mx1.cabinet.fr"],
            "mx_hosts": ["mx1.cabinet.fr", *uncovered],
            "uncovered": list(uncovered),
        }
    )


def test_every_mx_covered_passes() -> None:
    given = coverage()
    result = judge_mx_coverage(given)
    assert result.status is Status.PASS and result.facts == given
    assert evidence(result) == {
        "Motifs mx de la politique": ["mx1.cabinet.fr"],
        "MX publiés": ["mx1.cabinet.fr"],
    }


@pytest.mark.parametrize(("mode", "severity"), [("enforce", None), ("testing", Severity.MEDIUM)])
def test_uncovered_mx_fails_at_a_severity_set_by_the_mode(
    mode: str, severity: Severity | None
) -> None:
    result = judge_mx_coverage(coverage(mode, ("mx2.cabinet.fr",)))
    assert (result.status, result.severity) == (Status.FAIL, severity)
    assert "mx2.cabinet.fr" in result.summary and "mx1.cabinet.fr" not in result.summary


# --- mail.mta_sts.mx_tls -----------------------------------------------------------------


def certificate(**fields: object) -> ObservedCertificate:
    given = {
        "subject": "CN=mx.cabinet.fr",
        "common_name": "mx.cabinet.fr",
        "issuer": "CN=Autorité",
        "names": ["mx.cabinet.fr"],
        "not_before": NOW - timedelta(days=30),
        "not_after": NOW + timedelta(days=60),
        "serial": "01",
        "sha256": "ab" * 32,
        "key": "RSA 2048 bits",
        "signature_algorithm": "sha256WithRSAEncryption",
        "self_signed": False,
        **fields,
    }
    return ObservedCertificate.model_validate(given)


def mx_tls(**fields: object) -> MxTlsFacts:
    given = {
        "host": "mx.cabinet.fr",
        "address": "192.0.2.1",
        "mode": "enforce",
        "starttls_offered": True,
        "certificate": certificate(),
        "checked_at": NOW,
        **fields,
    }
    return MxTlsFacts.model_validate(given)


def test_mx_with_starttls_and_a_valid_certificate_passes() -> None:
    given = mx_tls()
    result = judge_mx_tls(given)
    assert (result.status, result.subject) == (Status.PASS, "mx.cabinet.fr (192.0.2.1)")
    assert result.facts == given
    assert evidence(result) == {"Noms du certificat": ["mx.cabinet.fr"]}


def test_unreachable_mx_is_indeterminate_with_the_probe_reason() -> None:
    error = ErrorInfo(reason="timeout", message="pas de réponse en 2 s")
    result = judge_mx_tls(mx_tls(probe_error=error, certificate=None))
    assert result.status is Status.INDETERMINATE and result.error == error
    assert result.subject == "mx.cabinet.fr (192.0.2.1)" and result.evidence == []


@pytest.mark.parametrize(
    ("fields", "problems"),
    [
        ({"starttls_offered": False, "certificate": None}, 1),
        ({"certificate": None, "tls_failure": "handshake failure"}, 1),
        ({"certificate": None}, 1),
        ({"certificate": certificate(not_after=NOW - timedelta(days=1))}, 1),
        (
            {
                "certificate": certificate(names=["autre.fr"], self_signed=True),
                "verify_error_code": 18,
                "verify_error": "self signed certificate",
            },
            2,
        ),
    ],
)
def test_mx_a_sender_refuses_fails_with_each_problem(
    fields: dict[str, object], problems: int
) -> None:
    result = judge_mx_tls(mx_tls(**fields))
    assert (result.status, result.severity) == (Status.FAIL, None)
    listed = evidence(result)["Problèmes"]
    assert isinstance(listed, list) and len(listed) == problems


def test_tls_failure_is_quoted_as_observed() -> None:
    result = judge_mx_tls(mx_tls(certificate=None, tls_failure="alerte handshake_failure"))
    assert "alerte handshake_failure" in result.summary


def test_mx_failing_under_testing_mode_is_medium() -> None:
    result = judge_mx_tls(mx_tls(mode="testing", starttls_offered=False, certificate=None))
    assert (result.status, result.severity) == (Status.FAIL, Severity.MEDIUM)


def test_certificate_dates_are_judged_at_the_time_they_were_seen() -> None:
    expiring = certificate(not_after=NOW + timedelta(hours=1))
    assert judge_mx_tls(mx_tls(certificate=expiring)).status is Status.PASS
    later = NOW + timedelta(days=1)
    assert judge_mx_tls(mx_tls(certificate=expiring, checked_at=later)).status is Status.FAIL


def test_mx_tls_facts_are_read_from_the_smtp_probe() -> None:
    info = CertificateInfo(
        subject="CN=mx.cabinet.fr",
        common_name="mx.cabinet.fr",
        issuer="CN=Autorité",
        names=("mx.cabinet.fr",),
        not_before=NOW - timedelta(days=1),
        not_after=NOW + timedelta(days=1),
        serial="01",
        sha256="ab" * 32,
        key="EC 256 bits",
        signature_algorithm="ecdsa-with-SHA256",
        self_signed=True,
        key_bits=256,
    )
    session = TlsSession("TLSv1.3", "TLS_AES_128_GCM_SHA256", info, (18, "self signed"))
    probe = SmtpProbe("mx.cabinet.fr", "192.0.2.1", 25, starttls_offered=True, tls=session)
    facts = MxTlsFacts.of(probe, "testing", NOW)
    assert facts.certificate is not None and facts.certificate.info() == info
    assert (facts.verify_error_code, facts.verify_error, facts.mode) == (
        18,
        "self signed",
        "testing",
    )
    failure = TlsFailure("454 TLS indisponible", temporary=True)
    refused = MxTlsFacts.of(
        SmtpProbe("mx.cabinet.fr", "192.0.2.1", 25, starttls_offered=True, tls_failure=failure),
        "enforce",
        NOW,
    )
    assert refused.certificate is None and refused.tls_failure == "454 TLS indisponible"


# --- Facts in audit.json -----------------------------------------------------------------


META = CheckMeta(
    id="mail.mta_sts.mx_tls",
    title="Essai",
    category="messagerie",
    severity=Severity.MEDIUM,
    description="…",
    risk="…",
    remediation="…",
    references=[{"label": "RFC 8461", "url": None}],
)


def test_facts_survive_audit_json_and_every_kind_has_a_schema() -> None:
    finding = to_finding(META, judge_mx_tls(mx_tls()))
    again = Finding.model_validate_json(finding.model_dump_json())
    assert again.facts_kind == "mta_sts.mx_tls"
    assert MxTlsFacts.model_validate(again.facts) == mx_tls()
    declared = {
        t.kind
        for func in (
            mta_sts.sts_record,
            mta_sts.sts_policy,
            mta_sts.sts_mode,
            mta_sts.sts_mx_coverage,
            mta_sts.sts_mx_tls,
        )
        for t in fact_types(func)
    }
    assert {
        "mta_sts.record",
        "mta_sts.policy",
        "mta_sts.mx_coverage",
        "mta_sts.mx_tls",
    } <= declared
    for kind in (MtaStsRecordFacts, MtaStsPolicyFacts, MxCoverageFacts, MxTlsFacts):
        assert kind.model_json_schema()["properties"]
