"""mail.provider.jurisdiction and mail.provider.mssante judged from constructed facts."""

from __future__ import annotations

import pytest

from rgpd_audit.checks import provider
from rgpd_audit.checks.provider import (
    KnownProvider,
    MailProvidersFacts,
    MssanteFacts,
    ProviderFacts,
    Sighting,
    judge_jurisdiction,
    judge_mssante,
    judge_provider,
)
from rgpd_audit.models import ErrorInfo, Severity, Status
from rgpd_audit.registry import fact_types

GOOGLE = KnownProvider(
    id="google-workspace",
    name="Google Workspace",
    kind="professional",
    country="États-Unis",
    non_eu_law=True,
    verified=True,
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


def seen(known: KnownProvider, *where: tuple[str, str]) -> ProviderFacts:
    sightings = [Sighting.model_validate({"via": via, "name": name}) for via, name in where]
    return ProviderFacts(provider=known, recognised_by=sightings)


# --- mail.provider.jurisdiction ----------------------------------------------------------


def test_provider_under_non_eu_law_fails_with_the_adequacy_remediation() -> None:
    given = seen(GOOGLE, ("mx", "aspmx.l.google.com"), ("spf_include", "_spf.google.com"))
    result = judge_provider(given)
    assert (result.status, result.severity, result.remediation_key) == (
        Status.FAIL,
        None,
        "etats_unis",
    )
    assert result.subject == "Google Workspace" and result.facts == given
    [shown] = result.evidence
    assert shown.label == "Google Workspace"
    assert shown.value == {
        "reconnu par": ["MX aspmx.l.google.com", "SPF include:_spf.google.com"],
        "fournisseur": "Google Workspace",
        "type d'offre": "offre professionnelle",
        "pays": "États-Unis",
        "soumis à un droit hors UE": "oui",
    }


@pytest.mark.parametrize(("country", "key"), [("Suisse", "suisse"), ("Canada", None)])
def test_each_adequacy_country_has_its_remediation(country: str, key: str | None) -> None:
    known = GOOGLE.model_copy(update={"country": country})
    result = judge_provider(seen(known, ("mx", "mx.example")))
    assert (result.status, result.remediation_key) == (Status.FAIL, key)


def test_eu_provider_passes() -> None:
    result = judge_provider(seen(OVH, ("mx", "mx1.mail.ovh.net")))
    assert (result.status, result.subject) == (Status.PASS, "OVHcloud")


def test_unverified_attribution_is_flagged_as_such() -> None:
    # The wording is the point: the report must not assert what the list only supposes.
    known = OVH.model_copy(update={"verified": False})
    result = judge_provider(seen(known, ("spf_include", "spf.ovh.net")))
    assert "à confirmer" in result.summary
    assert isinstance(result.evidence[0].value, dict)
    assert "à confirmer" in str(result.evidence[0].value["fournisseur"])


def test_one_verdict_per_provider_in_order() -> None:
    given = MailProvidersFacts(
        mx_hosts=["mx1.mail.ovh.net"],
        spf_includes=["_spf.google.com"],
        providers=[seen(OVH, ("mx", "mx1.mail.ovh.net")), seen(GOOGLE, ("spf_include", "x"))],
    )
    results = judge_jurisdiction(given)
    assert [(r.subject, r.status) for r in results] == [
        ("OVHcloud", Status.PASS),
        ("Google Workspace", Status.FAIL),
    ]
    assert [r.facts for r in results] == given.providers


def test_no_provider_recognised_is_not_applicable() -> None:
    given = MailProvidersFacts(mx_hosts=["mx.cabinet.fr"], spf_includes=[])
    [result] = judge_jurisdiction(given)
    assert (result.status, result.facts, result.evidence) == (Status.NOT_APPLICABLE, given, [])


def test_failed_lookup_without_provider_is_indeterminate() -> None:
    [result] = judge_jurisdiction(MailProvidersFacts(spf_includes=[], lookup_errors=[TIMEOUT]))
    assert (result.status, result.error) == (Status.INDETERMINATE, TIMEOUT)


def test_failed_lookup_beside_a_provider_found_does_not_hide_it() -> None:
    given = MailProvidersFacts(
        spf_includes=["_spf.google.com"],
        lookup_errors=[TIMEOUT],
        providers=[seen(GOOGLE, ("spf_include", "_spf.google.com"))],
    )
    assert [r.status for r in judge_jurisdiction(given)] == [Status.FAIL]


# --- mail.provider.mssante ---------------------------------------------------------------


def test_mssante_address_passes_with_the_addresses_examined() -> None:
    emails = ["dr.martin@medecin.mssante.fr", "contact@cabinet.fr"]
    given = MssanteFacts(emails=emails, mssante_addresses=emails[:1])
    result = judge_mssante(given)
    assert result.status is Status.PASS and result.facts == given
    assert [(e.label, e.value) for e in result.evidence] == [("Adresses examinées", emails)]
    assert "dr.martin@medecin.mssante.fr" in result.summary


def test_mssante_mx_passes() -> None:
    given = MssanteFacts(emails=["contact@cabinet.fr"], mssante_mx_hosts=["mx.mssante.fr"])
    result = judge_mssante(given)
    assert (result.status, result.evidence) == (Status.PASS, [])


def test_no_address_given_is_not_applicable() -> None:
    result = judge_mssante(MssanteFacts(mssante_mx_hosts=[]))
    assert (result.status, result.evidence) == (Status.NOT_APPLICABLE, [])


def test_no_mssante_address_is_information_not_a_breach() -> None:
    given = MssanteFacts(emails=["contact@cabinet.fr"], mssante_mx_hosts=[])
    result = judge_mssante(given)
    assert (result.status, result.severity) == (Status.FAIL, Severity.INFO)
    assert [e.label for e in result.evidence] == ["Adresses examinées"]


def test_declared_kinds() -> None:
    assert {t.kind for t in fact_types(provider.provider_jurisdiction)} >= {
        "mail.provider",
        "mail.providers",
    }
    assert fact_types(provider.provider_mssante)[0] is MssanteFacts
