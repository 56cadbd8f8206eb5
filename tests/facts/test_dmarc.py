"""The mail.dmarc.* checks judged from constructed facts (no network), and the facts gathered
from an in-memory zone."""

from collections.abc import Callable
from typing import Any, cast

import pytest

from rgpd_audit.checks import dmarc
from rgpd_audit.checks.dmarc import (
    DmarcFacts,
    DmarcReceiverFacts,
    DmarcRecordFacts,
    DmarcReportingFacts,
    DmarcWalkStep,
    ExternalDestination,
    ReportAuthorisation,
    ReportReceiver,
    judge_jurisdiction,
    judge_policy,
    judge_present,
    judge_reporting,
    judge_valid,
)
from rgpd_audit.models import CheckResult, Severity, Status
from rgpd_audit.plugin import CheckError, Context, MxSet
from tests.facts.conftest import GivenContext

DOMAIN = "cabinet.fr"
TEXT = "v=DMARC1; p=reject; rua=mailto:dmarc@cabinet.fr"


def record(**fields: Any) -> DmarcRecordFacts:
    return DmarcRecordFacts.model_validate(
        {"text": TEXT, "p": "reject", "rua": ["mailto:dmarc@cabinet.fr"], **fields}
    )


def facts(**fields: Any) -> DmarcFacts:
    """The domain's own record `TEXT` applies (p=reject), unless `fields` say otherwise."""
    values: dict[str, Any] = {
        "domain": DOMAIN,
        "organisational_domain": DOMAIN,
        "steps": [DmarcWalkStep(name=DOMAIN, records=[TEXT])],
        "source": "domain",
        "record_domain": DOMAIN,
        "record": record(),
        "applied_policy": "reject",
        "effective_policy": "reject",
    }
    return DmarcFacts.model_validate({**values, **fields})


def inherited(**fields: Any) -> DmarcFacts:
    """mail.cabinet.fr without a record of its own, under cabinet.fr's."""
    steps = [DmarcWalkStep(name=f"mail.{DOMAIN}"), DmarcWalkStep(name=DOMAIN, records=[TEXT])]
    values = {"domain": f"mail.{DOMAIN}", "steps": steps, "source": "organisation", **fields}
    return facts(**values)


def nothing(**fields: Any) -> DmarcFacts:
    """No record anywhere up the tree."""
    steps = [DmarcWalkStep(name=DOMAIN), DmarcWalkStep(name="fr")]
    values = {"steps": steps, "source": None, "record_domain": None, "record": None}
    return facts(**{**values, "applied_policy": None, "effective_policy": None, **fields})


def psd(**fields: Any) -> DmarcFacts:
    """Only the public suffix's record (psd=y) applies."""
    psd_text = "v=DMARC1; p=reject; psd=y"
    steps = [DmarcWalkStep(name=DOMAIN), DmarcWalkStep(name="fr", records=[psd_text])]
    values = {"steps": steps, "source": "psd", "record_domain": "fr"}
    return facts(**{**values, "record": record(text=psd_text, psd="y", rua=[]), **fields})


def evidence(result: CheckResult) -> dict[str, object]:
    return {e.label: e.value for e in result.evidence}


# --- The facts models -------------------------------------------------------------------


def test_facts_have_stable_kinds_and_survive_audit_json() -> None:
    assert (DmarcFacts.kind, DmarcReportingFacts.kind, DmarcReceiverFacts.kind) == (
        "dmarc.record",
        "dmarc.reporting",
        "dmarc.report_receivers",
    )
    given = inherited(steps=[DmarcWalkStep(name="a.fr", dns_error="délai"), *facts().steps])
    assert DmarcFacts.model_validate(given.model_dump(mode="json")) == given
    assert given.unresolved == ["a.fr"]


def test_walk_evidence_says_what_each_query_found() -> None:
    steps = [
        DmarcWalkStep(name=f"a.{DOMAIN}", dns_error="délai dépassé"),
        DmarcWalkStep(name=f"b.{DOMAIN}", others=["v=DMARC2; p=reject"]),
        DmarcWalkStep(name=f"c.{DOMAIN}"),
        DmarcWalkStep(name=DOMAIN, records=[TEXT]),
    ]
    assert evidence(judge_present(inherited(steps=steps))) == {
        f"_dmarc.a.{DOMAIN}": "non lu : délai dépassé",
        f"_dmarc.b.{DOMAIN}": ["aucun enregistrement DMARC ; texte ignoré :", "v=DMARC2; p=reject"],
        f"_dmarc.c.{DOMAIN}": "aucun enregistrement DMARC",
        f"_dmarc.{DOMAIN}": [TEXT],
    }


# --- mail.dmarc.present -----------------------------------------------------------------


def test_present_passes_on_an_own_or_inherited_record() -> None:
    own = judge_present(facts())
    assert own.status is Status.PASS and own.facts is not None
    assert own.facts.kind == "dmarc.record"
    parent = judge_present(inherited())
    assert parent.status is Status.PASS
    assert "domaine d'organisation cabinet.fr" in parent.summary


def test_present_fails_on_several_own_records() -> None:
    steps = [DmarcWalkStep(name=DOMAIN, records=[TEXT, "v=DMARC1; p=none"])]
    result = judge_present(nothing(steps=steps))
    assert (result.status, result.remediation_key) == (Status.FAIL, "several")


@pytest.mark.parametrize("build", [nothing, psd])
@pytest.mark.parametrize(("no_mail", "key"), [(True, "no_mail"), (False, None)])
def test_present_fails_without_own_record_with_the_remediation_for_mail_use(
    build: Callable[..., DmarcFacts], no_mail: bool, key: str | None
) -> None:
    given = build(sends_no_mail=no_mail)
    result = judge_present(given)
    assert (result.status, result.severity, result.remediation_key) == (Status.FAIL, None, key)
    assert result.facts == given


def test_present_names_the_levels_it_could_not_read() -> None:
    steps = [DmarcWalkStep(name=DOMAIN), DmarcWalkStep(name="fr", dns_error="délai dépassé")]
    result = judge_present(nothing(steps=steps))
    assert result.status is Status.FAIL and "Niveaux non lus : fr." in result.summary


# --- mail.dmarc.valid -------------------------------------------------------------------


@pytest.mark.parametrize(
    "judge", [judge_valid, judge_policy], ids=["mail.dmarc.valid", "mail.dmarc.policy"]
)
@pytest.mark.parametrize("build", [nothing, psd])
def test_record_checks_do_not_apply_without_the_practices_record(
    judge: Callable[[DmarcFacts], CheckResult], build: Callable[..., DmarcFacts]
) -> None:
    given = build()
    result = judge(given)
    assert (result.status, result.evidence, result.facts) == (Status.NOT_APPLICABLE, [], given)


def test_valid_fails_on_errors() -> None:
    errors = ["p=rejet invalide : les destinataires retiennent none"]
    result = judge_valid(facts(record=record(errors=errors)))
    assert (result.status, result.severity, result.remediation_key) == (Status.FAIL, None, None)
    assert evidence(result) == {f"_dmarc.{DOMAIN}": TEXT, "Erreurs": errors}


@pytest.mark.parametrize(
    "unclean",
    [{"removed_tags": ["pct", "rf", "ri"]}, {"warnings": ["fo est ignoré sans ruf"]}],
)
def test_valid_removed_tags_and_warnings_are_a_low_cleanup(unclean: dict[str, Any]) -> None:
    result = judge_valid(facts(record=record(unknown_tags=["x"], **unclean)))
    assert (result.status, result.severity, result.remediation_key) == (
        Status.FAIL,
        Severity.LOW,
        "cleanup",
    )
    warnings = evidence(result)["Avertissements"]
    # Unknown tags are listed with the problems, last.
    assert isinstance(warnings, list) and len(warnings) == 2 and "x" in warnings[-1]


def test_valid_passes_and_notes_unknown_tags() -> None:
    clean = judge_valid(facts())
    assert clean.status is Status.PASS and evidence(clean) == {f"_dmarc.{DOMAIN}": TEXT}
    noted = judge_valid(facts(record=record(unknown_tags=["extension"])))
    assert noted.status is Status.PASS and "extension" in noted.summary


# --- mail.dmarc.policy ------------------------------------------------------------------


@pytest.mark.parametrize("policy", ["quarantine", "reject"])
def test_policy_passes_on_quarantine_or_reject(policy: str) -> None:
    given = facts(applied_policy=policy, effective_policy=policy)
    result = judge_policy(given)
    assert result.status is Status.PASS and result.facts is given
    assert evidence(result) == {
        f"_dmarc.{DOMAIN}": TEXT,
        "Politique publiée": policy,
        "Politique effective": policy,
    }


def test_policy_none_fails_and_testing_mode_has_its_remediation() -> None:
    plain = judge_policy(facts(applied_policy="none", effective_policy="none"))
    assert (plain.status, plain.severity, plain.remediation_key) == (Status.FAIL, None, None)
    lowered = facts(record=record(testing=True), applied_policy="quarantine")
    testing = judge_policy(lowered.model_copy(update={"effective_policy": "none"}))
    assert (testing.status, testing.remediation_key) == (Status.FAIL, "testing")
    # The wording is the point: the client must see that t=y lowers what they published.
    assert "t=y" in testing.summary and "« quarantine »" in testing.summary


@pytest.mark.parametrize("policy", ["none", "quarantine"])
def test_domain_without_mail_needs_reject(policy: str) -> None:
    result = judge_policy(facts(sends_no_mail=True, applied_policy=policy, effective_policy=policy))
    assert (result.status, result.remediation_key) == (Status.FAIL, "no_mail")
    assert judge_policy(facts(sends_no_mail=True)).status is Status.PASS


def test_sp_none_is_a_low_failure_on_the_domains_own_record_only() -> None:
    own = judge_policy(facts(record=record(sp="none")))
    assert (own.status, own.severity, own.remediation_key) == (
        Status.FAIL,
        Severity.LOW,
        "subdomains",
    )
    # Inherited: the sub-domain policy is what was applied, sp=none is not read again.
    parent = judge_policy(inherited(record=record(sp="none"), effective_policy="quarantine"))
    assert parent.status is Status.PASS
    assert "héritée de cabinet.fr" in parent.summary


# --- mail.dmarc.reporting ---------------------------------------------------------------


def reporting(*authorisations: ReportAuthorisation, **fields: Any) -> DmarcReportingFacts:
    values = {
        "domain": DOMAIN,
        "policy_domain": DOMAIN,
        "record": TEXT,
        "rua": ["mailto:dmarc@cabinet.fr"],
        "authorisations": list(authorisations),
        **fields,
    }
    return DmarcReportingFacts.model_validate(values)


def consent(published: bool | None, dns_error: str | None = None) -> ReportAuthorisation:
    name = f"{DOMAIN}._report._dmarc.rapports.fr"
    return ReportAuthorisation(
        destination="rapports.fr", name=name, published=published, dns_error=dns_error
    )


def test_reporting_not_applicable_without_record() -> None:
    result = judge_reporting(DmarcReportingFacts(domain=DOMAIN))
    assert (result.status, result.evidence) == (Status.NOT_APPLICABLE, [])


def test_reporting_fails_without_rua() -> None:
    result = judge_reporting(reporting(rua=[]))
    assert (result.status, result.remediation_key) == (Status.FAIL, "no_rua")
    assert evidence(result) == {f"_dmarc.{DOMAIN}": TEXT}


def test_reporting_fails_when_an_external_destination_does_not_consent() -> None:
    result = judge_reporting(reporting(consent(True), consent(False)))
    assert (result.status, result.remediation_key) == (Status.FAIL, "unauthorised")
    assert evidence(result)[f"Autorisation {DOMAIN}._report._dmarc.rapports.fr"] == "absente"
    # The wording is the point: the name where the destination must publish its consent.
    assert f"{DOMAIN}._report._dmarc.rapports.fr" in result.summary


def test_reporting_undecided_when_consent_cannot_be_read() -> None:
    result = judge_reporting(reporting(consent(None, "délai dépassé")))
    assert result.status is Status.INDETERMINATE and result.error is not None
    assert result.error.reason == "dns" and "délai dépassé" in result.error.message
    assert evidence(result)[f"Autorisation {DOMAIN}._report._dmarc.rapports.fr"] == (
        "non lue : délai dépassé"
    )


def test_reporting_passes_with_internal_or_consenting_destinations() -> None:
    internal = judge_reporting(reporting())
    assert internal.status is Status.PASS and internal.facts is not None
    external = judge_reporting(reporting(consent(True)))
    assert external.status is Status.PASS
    assert evidence(external)[f"Autorisation {DOMAIN}._report._dmarc.rapports.fr"] == "publiée"


# --- mail.dmarc.report_jurisdiction -----------------------------------------------------


def receiver(eu: bool, verified: bool = True) -> ReportReceiver:
    country = "France" if eu else "États-Unis"
    return ReportReceiver(id="r", name="Rapports SA", country=country, eu=eu, verified=verified)


def receivers(*external: ExternalDestination, **fields: Any) -> DmarcReceiverFacts:
    domains = [DOMAIN, *(e.domain for e in external)]
    values = {"domain": DOMAIN, "record": TEXT, "destinations": domains, **fields}
    return DmarcReceiverFacts.model_validate({**values, "external": list(external)})


def test_jurisdiction_not_applicable_without_record_or_destination() -> None:
    for given in (DmarcReceiverFacts(domain=DOMAIN), receivers(destinations=[])):
        result = judge_jurisdiction(given)
        assert (result.status, result.evidence) == (Status.NOT_APPLICABLE, [])


def test_jurisdiction_passes_when_reports_stay_home_or_in_the_eu() -> None:
    home = judge_jurisdiction(receivers())
    assert (home.status, home.evidence) == (Status.PASS, [])
    eu = judge_jurisdiction(receivers(ExternalDestination(domain="r.fr", receiver=receiver(True))))
    assert eu.status is Status.PASS
    assert evidence(eu) == {"r.fr": "Rapports SA, France — UE"}


def test_jurisdiction_fails_outside_the_eu_with_the_unverified_caveat() -> None:
    outside = ExternalDestination(domain="r.com", receiver=receiver(False, verified=False))
    unknown = ExternalDestination(domain="inconnu.fr")
    result = judge_jurisdiction(receivers(outside, unknown))
    assert (result.status, result.severity, result.remediation_key) == (Status.FAIL, None, None)
    assert evidence(result) == {
        "r.com": "Rapports SA, États-Unis (d'après la liste de l'outil, à confirmer) — hors UE",
        "inconnu.fr": "service inconnu, pays inconnu",
    }


def test_jurisdiction_unknown_country_is_a_low_failure() -> None:
    result = judge_jurisdiction(receivers(ExternalDestination(domain="inconnu.fr")))
    assert (result.status, result.severity, result.remediation_key) == (
        Status.FAIL,
        Severity.LOW,
        "unknown_country",
    )


# --- Gathering, from an in-memory zone --------------------------------------------------


class Zone(GivenContext):
    """The few `Context` methods the DMARC facts need, answered from a dict (no network)."""

    def __init__(self, domain: str, answers: dict[str, list[str]], no_mail: bool = False) -> None:
        super().__init__(domain)
        self.answers = answers
        self.no_mail = no_mail
        self.asked: list[str] = []

    def lookup(self, name: str, rdtype: str) -> list[str] | None:
        self.asked.append(name)
        if name.endswith(".panne.fr"):
            raise CheckError("dns", "délai dépassé")
        return self.answers.get(name)

    def mx(self) -> MxSet:
        return MxSet(exists=True, null_mx=self.no_mail, exchangers=())

    def sends_no_mail(self) -> bool:
        return self.no_mail


def test_gather_walks_to_the_organisation_and_reads_its_policy() -> None:
    zone = Zone(
        f"mail.{DOMAIN}",
        {f"_dmarc.{DOMAIN}": ['"v=DMARC1; p=reject; sp=quarantine; t=y"']},
        no_mail=True,
    )
    found = dmarc.gather(cast(Context, zone))
    assert (found.source, found.record_domain, found.organisational_domain) == (
        "organisation",
        DOMAIN,
        DOMAIN,
    )
    assert (found.applied_policy, found.effective_policy) == ("quarantine", "none")
    assert found.record is not None and found.record.testing and found.sends_no_mail
    # Without psd=n the walk goes on to the top-level domain (RFC 9989).
    assert [s.name for s in found.steps] == [f"mail.{DOMAIN}", DOMAIN, "fr"]


def test_gather_reporting_asks_external_destinations_only_when_rua_is_set() -> None:
    rua = "rua=mailto:a@cabinet.fr,mailto:b@rapports.fr,mailto:c@panne.fr"
    consent_name = f"{DOMAIN}._report._dmarc.rapports.fr"
    zone = Zone(DOMAIN, {f"_dmarc.{DOMAIN}": [f'"v=DMARC1; p=reject; {rua}"'], consent_name: []})
    found = dmarc.gather_reporting(cast(Context, zone))
    assert [(a.destination, a.published, a.dns_error) for a in found.authorisations] == [
        ("rapports.fr", False, None),
        ("panne.fr", None, "délai dépassé"),
    ]
    no_rua = Zone(DOMAIN, {f"_dmarc.{DOMAIN}": ['"v=DMARC1; p=reject; ruf=mailto:x@rapports.fr"']})
    assert dmarc.gather_reporting(cast(Context, no_rua)).authorisations == []
    assert no_rua.asked == [f"_dmarc.{DOMAIN}"]


def test_gather_receivers_names_known_services() -> None:
    rua = "rua=mailto:a@cabinet.fr,mailto:b@ag.dmarcian.com,mailto:c@inconnu.example"
    zone = Zone(DOMAIN, {f"_dmarc.{DOMAIN}": [f'"v=DMARC1; p=reject; {rua}"']})
    found = dmarc.gather_receivers(cast(Context, zone))
    assert found.destinations == ["cabinet.fr", "ag.dmarcian.com", "inconnu.example"]
    [known, unknown] = found.external
    assert known.receiver is not None and (known.receiver.id, known.receiver.eu) == (
        "dmarcian",
        False,
    )
    assert (unknown.domain, unknown.receiver) == ("inconnu.example", None)


def test_gather_ignores_a_public_suffix_record_for_reports() -> None:
    zone = Zone(DOMAIN, {"_dmarc.fr": ['"v=DMARC1; p=reject; psd=y; rua=mailto:r@psd.fr"']})
    assert dmarc.gather(cast(Context, zone)).source == "psd"
    assert dmarc.gather_reporting(cast(Context, zone)).record is None
    assert dmarc.gather_receivers(cast(Context, zone)).record is None
