"""The public plugin API: result constructors, declared facts and their bounds."""

from typing import ClassVar

import pytest

from rgpd_audit import plugin
from rgpd_audit.engine import to_finding
from rgpd_audit.models import MAX_FINDING_TEXT, CheckMeta, Finding, Status
from rgpd_audit.registry import fact_types


class Seen(plugin.Facts):
    kind: ClassVar[str] = "test.seen"

    values: list[str]

    def evidence(self) -> list[plugin.Evidence]:
        return [plugin.Evidence(label="Vu", value=self.values)]


META = CheckMeta(
    id="test.seen.check",
    title="Essai",
    category="extension",
    severity=plugin.Severity.MEDIUM,
    description="…",
    risk="…",
    remediation="Faire ceci.",
    remediation_variants={"autre": "Faire cela pour <domaine>."},
    references=[{"label": "RFC 1035", "url": None}],
)


def test_constructors_set_status_and_evidence_from_facts() -> None:
    facts = Seen(values=["a"])
    ok = plugin.passed("Bien.", facts)
    assert ok.status is Status.PASS and ok.facts is facts
    assert [(e.label, e.value) for e in ok.evidence] == [("Vu", ["a"])]
    ko = plugin.failed("Mal.", facts, severity=plugin.Severity.LOW, remediation="autre")
    assert (ko.status, ko.severity, ko.remediation_key) == (Status.FAIL, "low", "autre")
    given = plugin.not_applicable("Sans objet.", facts, evidence={"Autre": 1})
    assert [(e.label, e.value) for e in given.evidence] == [("Autre", 1)]
    unknown = plugin.indeterminate("timeout", "pas de réponse en 3 s")
    assert unknown.status is Status.INDETERMINATE and unknown.error is not None
    assert unknown.error.reason == "timeout" and unknown.summary.startswith("Non évalué : pas")


def test_finding_carries_kind_and_facts_and_the_chosen_remediation() -> None:
    finding = to_finding(
        META, plugin.failed("Mal.", Seen(values=["x"]), remediation="autre"), "c.fr"
    )
    assert finding.facts_kind == "test.seen" and finding.facts == {"values": ["x"]}
    assert finding.remediation == "Faire cela pour c.fr."
    again = Finding.model_validate_json(finding.model_dump_json())
    assert Seen.model_validate(again.facts) == Seen(values=["x"])


def test_facts_from_the_network_are_cleaned_and_bounded() -> None:
    hostile = "\x1b[31mrouge\x07" + "z" * (MAX_FINDING_TEXT * 2)
    finding = to_finding(META, plugin.passed("Bien.", Seen(values=[hostile])))
    assert finding.facts is not None
    [value] = finding.facts["values"]
    assert isinstance(value, str) and "\x1b" not in value and "\x07" not in value
    assert len(value) <= MAX_FINDING_TEXT


def test_facts_need_a_kind() -> None:
    with pytest.raises(TypeError, match="kind"):

        class Anonymous(plugin.Facts):
            value: int


def test_declared_fact_types_include_the_untested_servers() -> None:
    @plugin.check("test.seen.check", facts=Seen)
    def seen(ctx: plugin.Context) -> list[plugin.CheckResult]:
        return []

    assert fact_types(seen) == (Seen, plugin.NotContacted, plugin.OverLimit)


def test_result_with_undeclared_facts_is_a_bug_of_the_check() -> None:
    from rgpd_audit.engine import _check_fact_types

    class Other(plugin.Facts):
        kind: ClassVar[str] = "test.other"

    with pytest.raises(TypeError, match="Other"):
        _check_fact_types([plugin.passed("Bien.", Other())], (Seen,))
    _check_fact_types([plugin.passed("Bien.", Seen(values=[]))], (Seen,))
