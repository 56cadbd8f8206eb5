"""mail.provider.consumer judged from constructed facts (no network)."""

from __future__ import annotations

from rgpd_audit.checks import webmail
from rgpd_audit.checks.provider import KnownProvider
from rgpd_audit.checks.webmail import WebmailFacts, WebmailSubject, judge_consumer, judge_subject
from rgpd_audit.models import ErrorInfo, Status
from rgpd_audit.registry import fact_types

GMAIL = KnownProvider(
    id="gmail",
    name="Gmail (Google)",
    kind="consumer",
    country="États-Unis",
    non_eu_law=True,
    verified=False,
)
OVH = KnownProvider(
    id="ovh",
    name="OVHcloud",
    kind="professional",
    country="France",
    non_eu_law=False,
    verified=True,
)
TIMEOUT = ErrorInfo(reason="timeout", message="pas de réponse du DNS")


def mx(host: str, known: KnownProvider | None = None) -> WebmailSubject:
    return WebmailSubject(via="mx", name=host, provider=known)


def address(email: str, known: KnownProvider | None = None) -> WebmailSubject:
    return WebmailSubject(via="address", name=email, provider=known)


def test_consumer_offers_fail_one_per_subject_and_only_they_are_reported() -> None:
    given = WebmailFacts(
        subjects=[
            mx("mx.cabinet.fr", OVH),
            address("dr.dupont@gmail.com", GMAIL),
            address("x@gmail.com", GMAIL),
        ]
    )
    results = judge_consumer(given)
    assert [(r.status, r.subject) for r in results] == [
        (Status.FAIL, "dr.dupont@gmail.com"),
        (Status.FAIL, "x@gmail.com"),
    ]
    assert [r.facts for r in results] == given.subjects[1:]
    assert results[0].evidence[0].label == "Adresse dr.dupont@gmail.com"


def test_consumer_address_fails_even_when_the_mx_lookup_failed() -> None:
    given = WebmailFacts(subjects=[address("cabinet@gmail.com", GMAIL)], mx_error=TIMEOUT)
    assert [r.status for r in judge_consumer(given)] == [Status.FAIL]


def test_no_consumer_offer_passes_with_every_subject_described() -> None:
    given = WebmailFacts(subjects=[mx("mx1.mail.ovh.net", OVH), address("contact@cabinet.fr")])
    [result] = judge_consumer(given)
    assert (result.status, result.subject, result.facts) == (Status.PASS, None, given)
    assert [(e.label, e.value) for e in result.evidence][1] == (
        "Adresse contact@cabinet.fr",
        "fournisseur non identifié",
    )
    assert result.evidence[0].label == "MX mx1.mail.ovh.net"


def test_no_consumer_offer_but_mx_unknown_is_indeterminate() -> None:
    given = WebmailFacts(subjects=[address("contact@cabinet.fr")], mx_error=TIMEOUT)
    [result] = judge_consumer(given)
    assert (result.status, result.error) == (Status.INDETERMINATE, TIMEOUT)


def test_nothing_to_examine() -> None:
    [empty] = judge_consumer(WebmailFacts())
    assert (empty.status, empty.evidence) == (Status.NOT_APPLICABLE, [])
    [failed_dns] = judge_consumer(WebmailFacts(mx_error=TIMEOUT))
    assert (failed_dns.status, failed_dns.error) == (Status.INDETERMINATE, TIMEOUT)


def test_consumer_wording_names_the_offer() -> None:
    # The wording is the point: the practice must read which offer is meant for personal use.
    result = judge_subject(mx("smtp-in.orange.fr", GMAIL))
    assert "grand public Gmail (Google)" in result.summary and "à confirmer" in result.summary


def test_declared_kinds() -> None:
    assert {t.kind for t in fact_types(webmail.provider_consumer)} >= {
        "mail.webmail.subject",
        "mail.webmail.subjects",
    }
