"""The mail.dkim.* checks judged from constructed facts (no network)."""

from __future__ import annotations

import pytest

from rgpd_audit.checks import dkim
from rgpd_audit.checks.dkim import (
    DkimFacts,
    DkimSelectorFacts,
    judge_key,
    judge_present,
    judge_selector_key,
    judge_testing,
)
from rgpd_audit.models import CheckResult, ErrorInfo, Severity, Status
from rgpd_audit.registry import fact_types

TRIED = ["google", "selector1", "selector2", "s1"]
RECORD = "v=DKIM1; k=rsa; p=MIIB…"
TIMEOUT = ErrorInfo(reason="timeout", message="pas de réponse du DNS")


def key(selector: str = "google", **fields: object) -> DkimSelectorFacts:
    """A 2048-bit RSA key at `selector`, with `fields` changed."""
    given = {
        "selector": selector,
        "providers": ["Google Workspace"],
        "record": RECORD,
        "record_count": 1,
        "key_type": "rsa",
        "rsa_bits": 2048,
        **fields,
    }
    return DkimSelectorFacts.model_validate(given)


def unanswered(selector: str) -> DkimSelectorFacts:
    return DkimSelectorFacts(selector=selector, lookup_error=TIMEOUT)


def keys(*selectors: DkimSelectorFacts) -> DkimFacts:
    return DkimFacts(domain="cabinet.fr", tried=TRIED, selectors=list(selectors))


def labels(result: CheckResult) -> list[str]:
    return [e.label for e in result.evidence]


# --- mail.dkim.present -------------------------------------------------------------------


def test_usable_key_passes_and_describes_every_record_found() -> None:
    given = keys(key(), key("s1", revoked=True, rsa_bits=None))
    result = judge_present(given)
    assert result.status is Status.PASS and result.facts == given
    assert {e.label: e.value for e in result.evidence} == {
        "google._domainkey (Google Workspace)": "RSA 2048 bits",
        "s1._domainkey (Google Workspace)": "clé révoquée (p= vide)",
    }


def test_selector_given_for_the_audit_is_named_so() -> None:
    result = judge_present(keys(key("cabinet2026", given=True, providers=[])))
    assert labels(result) == ["cabinet2026._domainkey (sélecteur indiqué pour l'audit)"]


@pytest.mark.parametrize(
    "found",
    [
        (),
        (key(revoked=True, rsa_bits=None),),
        (key(key_type=None, rsa_bits=None, syntax_error="p= invalide"),),
        (key(revoked=True, rsa_bits=None), unanswered("s1")),
    ],
)
def test_no_usable_key_is_indeterminate_never_a_failure(
    found: tuple[DkimSelectorFacts, ...],
) -> None:
    result = judge_present(keys(*found))
    assert (result.status, result.remediation_key) == (Status.INDETERMINATE, "not_found")
    assert result.error is not None and result.error.reason == "dns"
    assert f"parmi les {len(TRIED)} sélecteurs" in result.summary


def test_a_key_found_beside_a_failed_lookup_is_enough() -> None:
    assert judge_present(keys(key(), unanswered("s1"))).status is Status.PASS


def test_no_key_found_explains_that_selectors_cannot_be_listed() -> None:
    # The wording is the point: the client must not read « no DKIM » into it.
    result = judge_present(keys())
    assert "ne peuvent pas être énumérés" in result.summary


def test_revoked_unreadable_and_unanswered_selectors_are_all_named() -> None:
    result = judge_present(
        keys(
            key("a", revoked=True, rsa_bits=None),
            key("b", key_type=None, rsa_bits=None, record_count=2),
            key("c", key_type=None, rsa_bits=None, syntax_error="p= invalide"),
            unanswered("d"),
        )
    )
    assert result.status is Status.INDETERMINATE
    assert "révoquée (p= vide) au(x) sélecteur(s) a" in result.summary
    assert "illisible au(x) sélecteur(s) b, c" in result.summary
    assert "1 sélecteur(s) sans réponse DNS" in result.summary
    assert {e.label: e.value for e in result.evidence}["b._domainkey (Google Workspace)"] == (
        "illisible : 2 enregistrements DKIM"
    )


def test_every_lookup_failing_is_indeterminate_for_the_lookups_reason() -> None:
    given = keys(unanswered("google"), unanswered("s1"))
    for result in (judge_present(given), *judge_key(given), *judge_testing(given)):
        assert result.status is Status.INDETERMINATE and result.error == TIMEOUT
        assert result.remediation_key is None and result.evidence == []


# --- mail.dkim.key -----------------------------------------------------------------------


def test_each_key_is_judged_on_its_own_revoked_ones_excepted() -> None:
    results = judge_key(
        keys(key("a"), key("b", key_type="ed25519", rsa_bits=None), key("c", revoked=True))
    )
    assert [(r.subject, r.status) for r in results] == [("a", Status.PASS), ("b", Status.PASS)]
    assert all(isinstance(r.facts, DkimSelectorFacts) for r in results)


def test_no_active_key_leaves_key_and_testing_not_applicable() -> None:
    given = keys(key(revoked=True, rsa_bits=None))
    for results in (judge_key(given), judge_testing(given)):
        [result] = results
        assert (result.status, result.evidence) == (Status.NOT_APPLICABLE, [])


def test_key_lookup_failure_beside_no_key_is_indeterminate() -> None:
    [result] = judge_key(keys(key(revoked=True, rsa_bits=None), unanswered("s1")))
    assert result.status is Status.INDETERMINATE and result.error == TIMEOUT


@pytest.mark.parametrize(
    ("fields", "status", "severity", "remediation"),
    [
        ({"rsa_bits": 4096}, Status.PASS, None, None),
        ({"rsa_bits": 2048}, Status.PASS, None, None),
        ({"rsa_bits": 1024}, Status.FAIL, Severity.LOW, "short"),
        ({"rsa_bits": 512}, Status.FAIL, None, None),
        ({"key_type": "ed25519", "rsa_bits": None}, Status.PASS, None, None),
        ({"key_type": "dsa", "rsa_bits": None}, Status.FAIL, None, None),
        ({"hash_algorithms": ["sha1"]}, Status.FAIL, None, None),
        ({"hash_algorithms": ["sha1", "sha256"]}, Status.PASS, None, None),
        ({"key_type": None, "rsa_bits": None, "record_count": 2}, Status.FAIL, None, None),
        ({"key_type": None, "rsa_bits": None, "syntax_error": "k=?"}, Status.FAIL, None, None),
    ],
)
def test_key_verdict(
    fields: dict[str, object],
    status: Status,
    severity: Severity | None,
    remediation: str | None,
) -> None:
    given = DkimSelectorFacts.model_validate({**key().model_dump(), **fields})
    result = judge_selector_key(given)
    assert (result.status, result.severity, result.remediation_key) == (
        status,
        severity,
        remediation,
    )
    assert result.subject == "google" and result.facts == given
    assert labels(result)[0] == "google._domainkey (Google Workspace)"


def test_rsa_size_is_shown_apart() -> None:
    result = judge_selector_key(key(rsa_bits=1024))
    assert {e.label: e.value for e in result.evidence}["Taille de la clé RSA"] == "1024 bits"


# --- mail.dkim.testing -------------------------------------------------------------------


def test_keys_in_testing_mode_fail_one_per_selector() -> None:
    results = judge_testing(keys(key("a", testing=True), key("b"), key("c", testing=True)))
    assert [(r.status, r.subject) for r in results] == [(Status.FAIL, "a"), (Status.FAIL, "c")]
    assert all(isinstance(r.facts, DkimSelectorFacts) and r.facts.testing for r in results)


def test_no_key_in_testing_mode_passes_with_the_active_records() -> None:
    [result] = judge_testing(keys(key("a"), key("b", revoked=True)))
    assert result.status is Status.PASS
    assert [(e.label, e.value) for e in result.evidence] == [
        ("a._domainkey (Google Workspace)", RECORD)
    ]


def test_declared_kinds() -> None:
    assert fact_types(dkim.dkim_present)[0] is DkimFacts
    for func in (dkim.dkim_key, dkim.dkim_testing):
        assert {"dkim.keys", "dkim.selector"} <= {t.kind for t in fact_types(func)}
