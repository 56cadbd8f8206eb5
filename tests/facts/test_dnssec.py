"""dns.dnssec.chain judged from constructed facts, and gathered from a constructed answer."""

from __future__ import annotations

from typing import Any, cast

import pytest

from rgpd_audit.checks.dnssec import DnssecFacts, chain_of_trust, gather, judge_dnssec
from rgpd_audit.models import CheckResult, Severity, Status, Target
from rgpd_audit.net.dnssec import Security, Validation
from rgpd_audit.plugin import Context

STEPS = [
    ". : clés validées par l'ancre de confiance (étiquette(s) 20326)",
    "fr. : clés validées par le DS de la zone parente (étiquette(s) 51508)",
]


def evidence(result: CheckResult) -> dict[str, object]:
    return {e.label: e.value for e in result.evidence}


def facts(**fields: Any) -> DnssecFacts:
    base: dict[str, Any] = {
        "domain": "cabinet.fr",
        "anchor_source": "IANA",
        "name": "cabinet.fr",
        "rdtype": "MX",
        "security": Security.SECURE,
        "exists": True,
        "records": ["10 mx.cabinet.fr."],
        "zone": "cabinet.fr.",
        "steps": STEPS,
    }
    return DnssecFacts.model_validate({**base, **fields})


def test_secure_chain_passes_and_shows_every_step() -> None:
    given = facts()
    result = judge_dnssec(given)
    assert result.status is Status.PASS and result.facts == given
    assert evidence(result) == {
        "Ancre de confiance": "IANA",
        "Chaîne de confiance": STEPS,
        "Zone": "cabinet.fr.",
        "MX de cabinet.fr": ["10 mx.cabinet.fr."],
    }


def test_bogus_is_a_medium_failure_with_its_urgent_remediation() -> None:
    result = judge_dnssec(facts(security=Security.BOGUS, reason="signature expirée", steps=[]))
    assert (result.status, result.severity) == (Status.FAIL, Severity.MEDIUM)
    assert result.remediation_key == "bogus"
    assert evidence(result)["Chaîne de confiance"] == "aucune étape validée"
    assert evidence(result)["Motif"] == "signature expirée"


def test_signed_zone_without_ds_asks_for_the_ds() -> None:
    given = facts(security=Security.INSECURE, signed_without_ds=True, reason="pas de DS")
    result = judge_dnssec(given)
    assert (result.status, result.severity) == (Status.FAIL, None)
    assert result.remediation_key == "ds_missing"


def test_unsigned_zone_is_a_plain_failure() -> None:
    result = judge_dnssec(facts(security=Security.INSECURE, reason="délégation non signée"))
    assert (result.status, result.severity, result.remediation_key) == (Status.FAIL, None, None)


@pytest.mark.parametrize("security", [Security.BOGUS, Security.INSECURE])
def test_bogus_and_unsigned_are_told_apart(security: Security) -> None:
    # The wording is the point: « bogus » is said only of broken signatures.
    result = judge_dnssec(facts(security=security, reason="motif"))
    assert ("bogus" in result.summary) is (security is Security.BOGUS)


def test_proven_non_existence_is_not_applicable() -> None:
    result = judge_dnssec(facts(exists=False, records=[]))
    assert result.status is Status.NOT_APPLICABLE
    assert "MX de cabinet.fr" not in evidence(result)


class FakeValidator:
    class anchors:
        source = "ancre du laboratoire"

    def validate(self, name: str, rdtype: str) -> Validation:
        return Validation(
            name, rdtype, Security.INSECURE, True, ("10 mx.cabinet.fr.",), "non signé",
            "fr.", tuple(STEPS[:1]), signed_without_ds=True,
        )  # fmt: skip


class FakeContext:
    target = Target(domain="cabinet.fr")

    def dnssec(self) -> FakeValidator:
        return FakeValidator()


def test_gathered_facts_are_the_validation_of_the_mx() -> None:
    ctx = cast(Context, FakeContext())
    seen = gather(ctx)
    assert seen.anchor_source == "ancre du laboratoire"
    assert (seen.name, seen.rdtype, seen.security) == ("cabinet.fr", "MX", Security.INSECURE)
    assert seen.signed_without_ds and seen.steps == STEPS[:1]
    [result] = chain_of_trust(ctx)
    assert result.remediation_key == "ds_missing" and result.facts == seen
