"""SPF and DMARC checks against the lab's DNS server (no protocol mocked)."""

from collections import defaultdict
from typing import TypeVar

import checkdmarc.spf as oracle
import pytest

from rgpd_audit import registry
from rgpd_audit.checks.dmarc import DmarcFacts, DmarcReceiverFacts, DmarcReportingFacts
from rgpd_audit.checks.spf import SpfFacts, SpfFinalAll
from rgpd_audit.config import Nameserver
from rgpd_audit.context import CheckContext
from rgpd_audit.engine import run_checks
from rgpd_audit.lab import Lab
from rgpd_audit.lab.scenarios_auth import SCENARIOS as AUTH_SCENARIOS
from rgpd_audit.models import Facts, Finding, Severity, Status, Target
from rgpd_audit.net.dns import build_resolver, lookup
from rgpd_audit.records.spf_tree import evaluate_spf

SPECS = [s for s in registry.discover() if s.meta.id.startswith(("mail.spf.", "mail.dmarc."))]
NAMES = [s.name for s in AUTH_SCENARIOS]


def audit(lab: Lab, domain: str) -> dict[str, list[Finding]]:
    ctx = CheckContext(Target(domain=domain), lab.run_config(timeout=2.0))
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for finding in run_checks(ctx, SPECS).findings:
        grouped[finding.check_id].append(finding)
    return grouped


def only(lab: Lab, name: str, check_id: str) -> Finding:
    [finding] = audit(lab, lab.scenarios[name].domain)[check_id]
    return finding


FactsT = TypeVar("FactsT", bound=Facts)


def facts(finding: Finding, model: type[FactsT]) -> FactsT:
    """The finding's facts as audit.json holds them, read back with their published model."""
    assert finding.facts_kind == model.kind
    return model.model_validate(finding.facts)


def test_every_check_of_the_family_is_registered() -> None:
    assert len(SPECS) == 11
    assert {s.meta.category for s in SPECS} == {"usurpation"}


@pytest.mark.parametrize("name", NAMES)
def test_scenario_verdicts(lab: Lab, name: str) -> None:
    scenario = lab.scenarios[name]
    found = audit(lab, scenario.domain)
    for check_id, expected in scenario.expected.items():
        assert [f.status.value for f in found[check_id]] == [expected], (
            check_id,
            [f.summary for f in found[check_id]],
        )
    # Every verdict stands on typed facts that audit.json keeps (a script needs no French).
    assert all(f.facts_kind is not None for fs in found.values() for f in fs)


def test_lookup_count_and_tree_are_shown(lab: Lab) -> None:
    finding = only(lab, "spf-trop-de-requetes", "mail.spf.lookups")
    evidence = {e.label: e.value for e in finding.evidence}
    assert evidence["Requêtes DNS (limite 10)"] == 12
    tree = evidence["Arbre d'évaluation"]
    assert isinstance(tree, list) and sum("] include:" in str(line) for line in tree) == 12
    evaluation = facts(finding, SpfFacts).evaluation
    assert finding.status is Status.FAIL and evaluation is not None
    assert evaluation.lookups == 12 and evaluation.limit_exceeded_at is not None
    assert evaluation.limit_exceeded_at.startswith("include:") and "_j4a" in (
        evaluation.limit_exceeded_at
    )


def test_loop_is_named_with_its_path(lab: Lab) -> None:
    finding = only(lab, "spf-boucle", "mail.spf.lookups")
    evaluation = facts(finding, SpfFacts).evaluation
    assert finding.status is Status.FAIL and evaluation is not None
    [loop] = evaluation.loops
    assert "_a.spf-boucle.labo-rgpd.fr → _b.spf-boucle.labo-rgpd.fr → _a." in loop


def test_syntax_error_names_the_term_and_position(lab: Lab) -> None:
    finding = only(lab, "spf-syntaxe", "mail.spf.valid")
    evidence = {e.label: e.value for e in finding.evidence}
    assert evidence["Terme fautif"] == "ip4:192.0.2.300" and evidence["Position (caractère)"] == 8
    problem = facts(finding, SpfFacts).syntax_error
    assert problem is not None and (problem.term, problem.position) == ("ip4:192.0.2.300", 8)


def test_plus_all_fails_at_the_recommendation_ceiling_and_tilde_all_passes(lab: Lab) -> None:
    plus = only(lab, "spf-plus-all", "mail.spf.all")
    # SPF is a recommendation: « +all » is its worst case, medium under the severity policy.
    assert plus.status is Status.FAIL and plus.severity is Severity.MEDIUM
    assert final_all(plus).qualifier == "+"
    tilde = only(lab, "spf-conforme", "mail.spf.all")
    assert tilde.status is Status.PASS and final_all(tilde).qualifier == "~"
    redirect = only(lab, "spf-redirect", "mail.spf.all")
    assert redirect.status is Status.PASS
    # Read through redirect=, in the target's record.
    domain = lab.scenarios["spf-redirect"].domain
    assert final_all(redirect) == SpfFinalAll(term="-all", qualifier="-", domain=f"_spf.{domain}")


def final_all(finding: Finding) -> SpfFinalAll:
    evaluation = facts(finding, SpfFacts).evaluation
    assert evaluation is not None and evaluation.final_all is not None
    return evaluation.final_all


def test_domain_without_mail_gets_the_records_to_publish(lab: Lab) -> None:
    found = audit(lab, lab.scenarios["spf-sans-courrier"].domain)
    [spf] = found["mail.spf.present"]
    [dmarc] = found["mail.dmarc.present"]
    assert facts(spf, SpfFacts).sends_no_mail is True
    assert facts(dmarc, DmarcFacts).sends_no_mail is True
    for finding in (spf, dmarc):
        assert finding.status is Status.FAIL
        # The wording is the point: the records to paste into the zone.
        assert "v=spf1 -all" in finding.remediation and "p=reject;" in finding.remediation


def test_leading_space_record_is_shown_as_ignored(lab: Lab) -> None:
    finding = only(lab, "spf-espace", "mail.spf.present")
    labels = [e.label for e in finding.evidence]
    seen = facts(finding, SpfFacts)
    assert finding.status is Status.FAIL and "Ressemble à SPF mais ignoré" in labels
    assert seen.records == [] and seen.near_misses == ["v=spf1 ip4:192.0.2.0/24 -all"]


def test_deep_subdomain_walk_skips_to_four_labels(lab: Lab) -> None:
    finding = only(lab, "dmarc-arbre", "mail.dmarc.present")
    labels = [e.label for e in finding.evidence]
    assert labels == [
        "_dmarc.boite.service.site.dmarc-arbre.labo-rgpd.fr",
        "_dmarc.site.dmarc-arbre.labo-rgpd.fr",
        "_dmarc.dmarc-arbre.labo-rgpd.fr",
        "_dmarc.labo-rgpd.fr",
    ]
    policy = only(lab, "dmarc-arbre", "mail.dmarc.policy")
    walk = facts(policy, DmarcFacts)
    assert policy.status is Status.PASS
    assert (walk.source, walk.record_domain, walk.effective_policy) == (
        "organisation",
        "dmarc-arbre.labo-rgpd.fr",
        "quarantine",
    )


def test_testing_mode_is_explained(lab: Lab) -> None:
    finding = only(lab, "dmarc-test", "mail.dmarc.policy")
    walk = facts(finding, DmarcFacts)
    assert finding.status is Status.FAIL and walk.record is not None and walk.record.testing
    assert (walk.applied_policy, walk.effective_policy) == ("quarantine", "none")
    # The wording is the point: the remediation variant that tells the client what to remove.
    assert "retirez t=y" in finding.remediation


def test_removed_tags_are_a_low_warning_and_unknown_tags_a_note(lab: Lab) -> None:
    removed = only(lab, "dmarc-obsolete", "mail.dmarc.valid")
    record = facts(removed, DmarcFacts).record
    assert removed.status is Status.FAIL and removed.severity is Severity.LOW
    assert record is not None and record.removed_tags == ["pct", "rf", "ri"]
    unknown = only(lab, "dmarc-inconnu", "mail.dmarc.valid")
    record = facts(unknown, DmarcFacts).record
    assert unknown.status is Status.PASS
    assert record is not None and record.unknown_tags == ["extension"]


def test_external_reports_need_consent(lab: Lab) -> None:
    refused = only(lab, "dmarc-rua-externe", "mail.dmarc.reporting")
    name = "dmarc-rua-externe.labo-rgpd.fr._report._dmarc.dmarc-collecteur.labo-rgpd.fr"
    [consent] = facts(refused, DmarcReportingFacts).authorisations
    assert refused.status is Status.FAIL and (consent.name, consent.published) == (name, False)
    # The wording is the point: the record the destination must publish.
    assert "v=DMARC1;" in refused.remediation
    accepted = only(lab, "dmarc-rua-autorise", "mail.dmarc.reporting")
    [consent] = facts(accepted, DmarcReportingFacts).authorisations
    assert accepted.status is Status.PASS and consent.published is True


def test_non_eu_receiver_is_flagged_with_unverified_caveat(lab: Lab) -> None:
    finding = only(lab, "dmarc-hors-ue", "mail.dmarc.report_jurisdiction")
    [destination] = facts(finding, DmarcReceiverFacts).external
    receiver = destination.receiver
    assert finding.status is Status.FAIL and receiver is not None
    assert (receiver.id, receiver.eu, receiver.verified) == ("dmarcian", False, False)
    # The wording is the point: the client must read that the tool's list is to be confirmed.
    assert "à confirmer" in finding.summary
    assert any(r.label.startswith("RGPD art. 44") for r in finding.references)


def test_unknown_receiver_says_country_unknown(lab: Lab) -> None:
    finding = only(lab, "dmarc-rua-externe", "mail.dmarc.report_jurisdiction")
    [destination] = facts(finding, DmarcReceiverFacts).external
    assert finding.status is Status.FAIL and finding.severity is Severity.LOW
    assert (destination.domain, destination.receiver) == ("dmarc-collecteur.labo-rgpd.fr", None)


SPF_NAMES = [n for n in NAMES if n.startswith("spf-")]


@pytest.mark.parametrize("name", SPF_NAMES)
def test_checkdmarc_agrees_on_lab_spf(lab: Lab, name: str) -> None:
    domain = lab.scenarios[name].domain
    resolver = build_resolver([Nameserver("127.0.0.1", lab.dns_port)], 2.0)
    ours = evaluate_spf(domain, lambda n, t: lookup(resolver, n, t))
    unusable = ours.root.record is None or ours.permerror
    try:
        theirs = oracle.get_spf_record(domain, resolver=resolver)
    except oracle.SPFError:
        theirs = None
    if name == "spf-vides":
        # Known difference (tests/data/spf/trees.yaml, vides-trois): checkdmarc does not
        # count the void answers of a and mx, so it accepts what receivers may refuse.
        assert unusable and theirs is not None
        return
    assert unusable is (theirs is None)
    if theirs is not None:
        assert ours.lookups == theirs["dns_lookups"]
