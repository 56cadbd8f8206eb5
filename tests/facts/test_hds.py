"""hosting.hds.* judged from constructed facts (no list file, no answers file)."""

import datetime as dt
from pathlib import Path

import pytest

from rgpd_audit.checks.hds import (
    ConsumerServiceFacts,
    DeclaredProviderFacts,
    HdsDeclarationsFacts,
    HdsMatch,
    HdsProviderFacts,
    HostListFacts,
    UnnamedProviderFacts,
    judge_certified,
    judge_consumer_services,
    judge_provider,
    judge_unnamed,
    list_words,
)
from rgpd_audit.hds.matching import MatchKind
from rgpd_audit.hds.model import CertifiedHost, HostList, HostListSnapshot
from rgpd_audit.hds.store import ListInUse
from rgpd_audit.models import CheckResult, Status

TODAY = dt.date(2026, 3, 1)
COMPLETE = HostListFacts(
    source="https://liste.test/hds.csv",
    retrieved="2026-02-20",
    complete=True,
    shipped_extract=False,
)
EXTRACT = HostListFacts(
    source="extrait", retrieved="2025-06-01", complete=False, shipped_extract=True
)


def provider(name: str = "Logiciel Santé", **fields: object) -> DeclaredProviderFacts:
    values: dict[str, object] = {
        "name": name,
        "role": "éditeur du logiciel métier",
        "declared_in": "réponses au questionnaire",
    }
    return DeclaredProviderFacts.model_validate({**values, **fields})


def host(
    name: str = "Logiciel Santé SAS",
    *,
    until: dt.date = TODAY + dt.timedelta(days=300),
    activities: list[int] | None = None,
    referential: str | None = "2.0",
    verified: bool = True,
) -> CertifiedHost:
    return CertifiedHost.model_validate(
        {
            "legal_name": name,
            "activities": activities if activities is not None else [5],
            "valid_until": until,
            "referential": referential,
            "certification_body": "Organisme A",
            "scope": None if verified else "offre santé",
            "source_kind": "official_list" if verified else "vendor_claim",
            "source": "https://liste.test/hds.csv" if verified else "https://vendeur.test",
            "verified": verified,
        }
    )


def match(
    kind: MatchKind = MatchKind.EXACT,
    *,
    name: str = "Logiciel Santé SAS",
    until: dt.date = TODAY + dt.timedelta(days=300),
    activities: list[int] | None = None,
    referential: str | None = "2.0",
    verified: bool = True,
) -> HdsMatch:
    found = host(
        name, until=until, activities=activities, referential=referential, verified=verified
    )
    return HdsMatch(host=found, kind=kind, matched_name=found.legal_name)


def looked_up(*matches: HdsMatch, **fields: object) -> HdsProviderFacts:
    values: dict[str, object] = {
        "provider": provider(),
        "host_list": COMPLETE,
        "checked_on": TODAY,
        "matches": list(matches),
    }
    return HdsProviderFacts.model_validate({**values, **fields})


def declarations(*providers: DeclaredProviderFacts, **fields: object) -> HdsDeclarationsFacts:
    values: dict[str, object] = {"questionnaire": True, "known": True, "providers": list(providers)}
    return HdsDeclarationsFacts.model_validate({**values, **fields})


def outcome(result: CheckResult) -> tuple[Status, str | None, str | None]:
    reason = result.error.reason if result.error else None
    return result.status, result.remediation_key, reason


# --- one provider against the list ----------------------------------------------------------


def test_certified_provider_passes_with_its_certificate_in_evidence() -> None:
    result = judge_provider(looked_up(match()))
    assert outcome(result) == (Status.PASS, None, None)
    assert result.subject == "Logiciel Santé"
    labels = [e.label for e in result.evidence]
    assert labels == [
        "Prestataire",
        "Liste des hébergeurs certifiés",
        "Correspondance : Logiciel Santé SAS",
    ]


def test_certificate_not_covering_the_needed_activity_is_to_confirm() -> None:
    facts = looked_up(match(activities=[5]), provider=provider(activity=6))
    assert outcome(judge_provider(facts)) == (Status.INDETERMINATE, "unverified", "unverified")


def test_certificate_of_unknown_activities_covers_any() -> None:
    facts = looked_up(match(activities=[]), provider=provider(activity=6))
    assert judge_provider(facts).status is Status.PASS


@pytest.mark.parametrize(
    ("referential", "status"),
    [("1.1", Status.INDETERMINATE), ("2018", Status.INDETERMINATE), ("v2.0", Status.PASS)],
)
def test_2018_referential_is_to_confirm(referential: str, status: Status) -> None:
    result = judge_provider(looked_up(match(referential=referential)))
    assert result.status is status
    if status is Status.INDETERMINATE:
        assert result.remediation_key == "referential_2018"


def test_expired_certificate_fails() -> None:
    facts = looked_up(match(until=dt.date(2020, 1, 31)))
    assert outcome(judge_provider(facts)) == (Status.FAIL, "expired", None)


def test_expiry_is_judged_on_the_day_of_the_audit() -> None:
    facts = looked_up(match(until=TODAY + dt.timedelta(days=10)))
    assert judge_provider(facts).status is Status.PASS
    later = facts.model_copy(update={"checked_on": TODAY + dt.timedelta(days=11)})
    assert judge_provider(later).status is Status.FAIL


def test_a_valid_certificate_wins_over_an_expired_one() -> None:
    facts = looked_up(match(until=dt.date(2020, 1, 31)), match(until=TODAY))
    assert judge_provider(facts).status is Status.PASS


def test_certified_declared_host_is_to_confirm() -> None:
    facts = looked_up(
        provider=provider(host="Hébergeur Certifié SAS"),
        declared_host_matches=[match(name="Hébergeur Certifié")],
    )
    result = judge_provider(facts)
    assert outcome(result) == (Status.INDETERMINATE, "unverified", "unverified")
    assert result.evidence[-1].label == "Correspondance : Hébergeur Certifié"


def test_expired_declared_host_does_not_count() -> None:
    facts = looked_up(
        provider=provider(host="Hébergeur"),
        declared_host_matches=[match(name="Hébergeur", until=dt.date(2020, 1, 1))],
    )
    assert outcome(judge_provider(facts)) == (Status.FAIL, None, None)


def test_vendor_claim_is_never_a_certificate() -> None:
    result = judge_provider(looked_up(match(MatchKind.ALIAS, verified=False), host_list=EXTRACT))
    assert outcome(result) == (Status.INDETERMINATE, "unverified", "unverified")
    assert "Périmètre : offre santé" in result.summary


def test_uncertain_match_is_to_confirm() -> None:
    result = judge_provider(looked_up(match(MatchKind.SIMILAR)))
    assert outcome(result) == (Status.INDETERMINATE, "unverified", "unverified")


def test_absent_from_the_complete_list_fails() -> None:
    assert outcome(judge_provider(looked_up())) == (Status.FAIL, None, None)


def test_absent_from_the_shipped_extract_proves_nothing() -> None:
    result = judge_provider(looked_up(host_list=EXTRACT))
    assert outcome(result) == (Status.INDETERMINATE, "unverified", "unverified")


@pytest.mark.parametrize(
    ("facts", "path"),
    [(COMPLETE, Path("/donnees/hds_hosts.yaml")), (EXTRACT, None)],
    ids=["téléchargée", "extrait"],
)
def test_list_is_named_as_the_store_names_it(facts: HostListFacts, path: Path | None) -> None:
    for complete in (True, False):
        given = facts.model_copy(update={"complete": complete})
        snapshot = HostListSnapshot(
            source=given.source, retrieved=given.retrieved, complete=complete
        )
        in_use = ListInUse(HostList(snapshot=snapshot, hosts=[host()]), path)
        assert list_words(given) == in_use.for_report()


# --- the declarations as a whole ------------------------------------------------------------


def test_technical_audit_says_nothing_of_providers() -> None:
    facts = declarations(questionnaire=False, known=False)
    [certified] = judge_certified(facts, [])
    [consumer] = judge_consumer_services(facts)
    assert certified.status is consumer.status is Status.NOT_APPLICABLE


def test_open_list_of_providers_is_asked_for() -> None:
    facts = declarations(known=False)
    for [result] in (judge_certified(facts, []), judge_consumer_services(facts)):
        assert outcome(result) == (Status.INDETERMINATE, "unanswered", "unanswered")


def test_unnamed_provider_cannot_be_looked_up() -> None:
    [result] = judge_certified(declarations(unnamed=["prise de rendez-vous en ligne"]), [])
    assert outcome(result) == (Status.INDETERMINATE, "unanswered", "unanswered")
    assert result.subject == "prise de rendez-vous en ligne"
    assert isinstance(result.facts, UnnamedProviderFacts)
    assert judge_unnamed(UnnamedProviderFacts(role="x")).subject == "x"


def test_results_follow_unnamed_roles_then_providers() -> None:
    results = judge_certified(
        declarations(provider(), unnamed=["téléconsultation"]), [looked_up(match())]
    )
    assert [r.status for r in results] == [Status.INDETERMINATE, Status.PASS]


def test_no_provider_or_only_consumer_services_is_not_applicable() -> None:
    gmail = provider(
        "Gmail",
        consumer_service=ConsumerServiceFacts(id="gmail", name="Gmail", kind="mail", verified=True),
    )
    for facts in (declarations(), declarations(gmail)):
        [result] = judge_certified(facts, [])
        assert result.status is Status.NOT_APPLICABLE


@pytest.mark.parametrize("verified", [True, False])
def test_consumer_service_fails(verified: bool) -> None:
    dropbox = provider(
        "Dropbox (compte perso)",
        consumer_service=ConsumerServiceFacts(
            id="dropbox", name="Dropbox", kind="storage", verified=verified
        ),
    )
    [result] = judge_consumer_services(declarations(provider(), dropbox))
    assert (result.status, result.subject) == (Status.FAIL, "Dropbox (compte perso)")
    assert [e.label for e in result.evidence] == ["Prestataire"]
    assert ("classement d'après la liste de l'outil" in result.summary) is not verified


def test_no_consumer_service_passes_with_every_provider_shown() -> None:
    facts = declarations(provider(), provider("Dropbox Business", host="Hébergeur"))
    [result] = judge_consumer_services(facts)
    assert result.status is Status.PASS
    assert [e.value for e in result.evidence] == [
        "Logiciel Santé — éditeur du logiciel métier — déclaré dans : réponses au questionnaire",
        "Dropbox Business — éditeur du logiciel métier — déclaré dans : réponses au "
        "questionnaire — hébergeur déclaré : Hébergeur",
    ]


def test_no_named_provider_has_no_consumer_service_to_judge() -> None:
    [result] = judge_consumer_services(declarations())
    assert result.status is Status.NOT_APPLICABLE


def test_facts_survive_audit_json() -> None:
    facts = looked_up(match(), declared_host_matches=[match(MatchKind.ALIAS)])
    assert HdsProviderFacts.model_validate_json(facts.model_dump_json()) == facts
