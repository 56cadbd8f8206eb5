"""DNSSEC and DANE checks against the lab's signed zones and real SMTP servers."""

import socket
from collections import defaultdict
from typing import Any

import pytest

from rgpd_audit import registry
from rgpd_audit.config import Nameserver
from rgpd_audit.context import CheckContext
from rgpd_audit.engine import run_checks
from rgpd_audit.lab import Lab
from rgpd_audit.models import Finding, Status, Target
from rgpd_audit.net.sharing import SharedNetwork

SPECS = [s for s in registry.discover() if s.meta.id.startswith(("dns.dnssec.", "mail.dane."))]
CHAIN = "dns.dnssec.chain"


def audit(lab: Lab, scenario: str, **config: object) -> dict[str, list[Finding]]:
    ctx = CheckContext(
        Target(domain=lab.scenarios[scenario].domain), lab.run_config(**{"timeout": 2.0, **config})
    )
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for finding in run_checks(ctx, SPECS).findings:
        grouped[finding.check_id].append(finding)
    return grouped


def evidence(finding: Finding) -> dict[str, object]:
    return {e.label: e.value for e in finding.evidence}


def facts(finding: Finding, kind: str) -> dict[str, Any]:
    """The facts of `finding`, which must be of `kind`."""
    assert finding.facts_kind == kind and finding.facts is not None, finding.facts_kind
    return finding.facts


def default_remediation(check_id: str) -> str:
    [spec] = [s for s in SPECS if s.meta.id == check_id]
    return spec.meta.remediation


def test_all_four_checks_are_registered() -> None:
    assert {s.meta.id for s in SPECS} == {
        CHAIN,
        "mail.dane.tlsa",
        "mail.dane.match",
        "mail.dane.rollover",
    }


def test_secure_chain_shows_every_step_from_the_anchor(lab: Lab) -> None:
    [chain] = audit(lab, "dnssec-signe")[CHAIN]
    assert chain.status is Status.PASS
    steps = evidence(chain)["Chaîne de confiance"]
    assert [step.split(" : ")[0] for step in steps] == [
        ".",
        "fr.",
        "labo-rgpd.fr.",
        "dnssec-signe.labo-rgpd.fr.",
    ]
    assert "l'ancre de confiance" in steps[0]
    seen = facts(chain, "dnssec.chain")
    assert seen["security"] == "secure" and seen["steps"] == steps


@pytest.mark.parametrize(
    ("scenario", "words"),
    [
        ("dnssec-signature-expiree", "signature expirée depuis le"),
        ("dnssec-signature-invalide", "signature invalide"),
    ],
)
def test_bad_signatures_are_bogus_and_urgent(lab: Lab, scenario: str, words: str) -> None:
    [chain] = audit(lab, scenario)[CHAIN]
    # DNSSEC is a recommendation: medium at most (severity policy), the urgency is in the text.
    assert chain.status is Status.FAIL and chain.severity.value == "medium"
    seen = facts(chain, "dnssec.chain")
    assert seen["security"] == "bogus" and words in seen["reason"]
    assert chain.remediation.startswith("Urgent")


def test_unsigned_zone_is_a_plain_failure_not_bogus(lab: Lab) -> None:
    [chain] = audit(lab, "dnssec-non-signe")[CHAIN]
    assert chain.status is Status.FAIL and chain.severity.value == "medium"
    seen = facts(chain, "dnssec.chain")
    assert seen["security"] == "insecure" and not seen["signed_without_ds"]
    assert chain.remediation == default_remediation(CHAIN)


def test_signed_zone_without_ds_asks_for_the_ds(lab: Lab) -> None:
    [chain] = audit(lab, "dnssec-ds-absent")[CHAIN]
    assert chain.status is Status.FAIL
    seen = facts(chain, "dnssec.chain")
    assert seen["security"] == "insecure" and seen["signed_without_ds"]
    assert "il ne manque que l'enregistrement DS" in chain.remediation


def test_iana_anchor_does_not_trust_the_lab_root(lab: Lab) -> None:
    # Without --trust-anchor the shipped IANA keys are used: the lab's root is not the root.
    [chain] = audit(lab, "dnssec-signe", trust_anchor=None)[CHAIN]
    assert chain.status is Status.FAIL
    seen = facts(chain, "dnssec.chain")
    assert seen["security"] == "bogus" and "ne correspond au DS" in seen["reason"]


def test_dane_ee_match_and_rollover(lab: Lab) -> None:
    found = audit(lab, "dane-valide")
    assert [f.status for f in found["mail.dane.tlsa"]] == [Status.PASS]
    [match] = found["mail.dane.match"]
    assert match.status is Status.PASS and match.subject.startswith("mx.dane-valide")
    seen = facts(match, "dane.match")
    assert seen["outcome"] == "end_entity"
    assert seen["matched_record"] == f"3 1 1 {seen['served_key']}"
    [rollover] = found["mail.dane.rollover"]
    assert rollover.status is Status.PASS
    records = facts(rollover, "dane.tlsa")["records"]
    assert len({r.split()[-1].upper() for r in records}) == 2


def test_dane_ta_matches_through_the_chain_sent(lab: Lab) -> None:
    found = audit(lab, "dane-ta")
    [match] = found["mail.dane.match"]
    assert match.status is Status.PASS
    assert facts(match, "dane.match")["outcome"] == "trust_anchor"
    [rollover] = found["mail.dane.rollover"]
    assert rollover.status is Status.PASS
    # A single record, but it designates the authority (usage 2): it outlives the leaf.
    [record] = facts(rollover, "dane.tlsa")["records"]
    assert record.startswith("2 ")


def test_mismatch_fails_and_single_record_gets_rollover_advice(lab: Lab) -> None:
    found = audit(lab, "dane-errone")
    [match] = found["mail.dane.match"]
    assert match.status is Status.FAIL
    seen = facts(match, "dane.match")
    assert seen["outcome"] == "no_match" and seen["matched_record"] is None
    served = evidence(match)["Clé présentée (3 1 1)"]
    assert served == seen["served_key"]
    assert all(served not in record for record in evidence(match)["TLSA publiés"])
    [rollover] = found["mail.dane.rollover"]
    assert rollover.status is Status.FAIL
    assert len(facts(rollover, "dane.tlsa")["records"]) == 1


def test_tlsa_in_unsigned_zone_is_ignored(lab: Lab) -> None:
    found = audit(lab, "dane-non-signe")
    [tlsa] = found["mail.dane.tlsa"]
    assert tlsa.status is Status.FAIL and tlsa.severity.value == "medium"
    seen = facts(tlsa, "dane.tlsa")
    assert seen["security"] == "insecure" and seen["records"]
    assert evidence(tlsa)["État DNSSEC"] == "non signé"
    assert [f.status for f in found["mail.dane.match"]] == [Status.NOT_APPLICABLE]


def test_proven_absence_of_tlsa_comes_with_the_record_to_publish(lab: Lab) -> None:
    found = audit(lab, "dnssec-signe")
    [tlsa] = found["mail.dane.tlsa"]
    assert tlsa.status is Status.FAIL and tlsa.severity.value == "low"
    seen = facts(tlsa, "dane.tlsa")
    assert seen["security"] == "secure" and seen["records"] == []
    record = evidence(tlsa)["Enregistrement à publier"]
    assert isinstance(record, str) and record.endswith(seen["served_key"])
    assert record.startswith("_25._tcp.mx.dnssec-signe.labo-rgpd.fr. IN TLSA 3 1 1 ")
    assert len(record.split()[-1]) == 64


def test_dead_resolver_gives_indeterminate_never_a_verdict(lab: Lab) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        dead_port = sock.getsockname()[1]
    found = audit(
        lab, "dane-valide", nameservers=(Nameserver("127.0.0.1", dead_port),), timeout=0.5
    )
    findings = [f for group in found.values() for f in group]
    assert {f.check_id for f in findings} == {s.meta.id for s in SPECS}
    assert {f.status for f in findings} == {Status.INDETERMINATE}
    assert {f.error.reason for f in findings if f.error} <= {"timeout", "dns"}


def test_each_dnssec_question_is_asked_once_per_audit(lab: Lab) -> None:
    assert lab.dns_query_counts is not None
    before = lab.dns_query_counts()
    audit(lab, "dane-valide")
    after = lab.dns_query_counts()
    asked = {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}
    dnssec_types = {"DS", "DNSKEY", "TLSA"}
    assert {k[1] for k in asked} >= dnssec_types
    assert {k: n for k, n in asked.items() if k[1] in dnssec_types and n != 1} == {}


def test_well_configured_practice_passes_dnssec_and_dane(lab: Lab) -> None:
    found = audit(lab, "conforme")
    assert {f.status for group in found.values() for f in group} == {Status.PASS}


def test_batch_sharing_of_dnssec_conclusions_changes_no_finding(lab: Lab) -> None:
    """In a batch, the validators share what they conclude about names outside each practice
    (the lab's root and TLD, the MX's TLSA): every finding is the one of a lone audit."""
    domains = [
        lab.scenarios[name].domain
        for name in (
            "dnssec-signe", "dnssec-non-signe", "dnssec-ds-absent", "dnssec-signature-invalide",
            "dnssec-signature-expiree", "dane-valide", "dane-ta", "dane-errone",
            "dane-non-signe", "conforme",
        )
    ]  # fmt: skip
    config = lab.run_config(timeout=2.0)

    def seen(shared: SharedNetwork | None, domain: str) -> list[tuple[str, str, str | None]]:
        ctx = CheckContext(Target(domain=domain), config, shared=shared)
        return [(f.check_id, f.status.value, f.summary) for f in run_checks(ctx, SPECS).findings]

    alone = {domain: seen(None, domain) for domain in domains}
    shared = SharedNetwork(max_rate=None, max_dns_rate=None)
    # Twice over, in both orders: conclusions from any earlier practice are reused.
    for domain in [*domains, *reversed(domains)]:
        assert seen(shared, domain) == alone[domain], domain
