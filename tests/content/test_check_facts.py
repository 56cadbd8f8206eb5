"""Every built-in check produces typed facts of the kinds it declares (issue 15)."""

from pathlib import Path

import pytest

from rgpd_audit import registry
from rgpd_audit.common_facts import COMMON_FACTS
from rgpd_audit.context import CheckContext
from rgpd_audit.engine import run_checks
from rgpd_audit.lab import Lab
from rgpd_audit.models import Facts, Status, Target

ROOT = Path(__file__).resolve().parents[2]
BUILT_IN = [s for s in registry.discover() if s.entry_point.value.startswith("rgpd_audit.checks.")]


def declared(spec: registry.CheckSpec) -> dict[str, type[Facts]]:
    return {kind.kind: kind for kind in registry.fact_types(spec.load())}


@pytest.mark.parametrize("spec", BUILT_IN, ids=lambda s: s.meta.id)
def test_built_in_check_declares_its_own_facts(spec: registry.CheckSpec) -> None:
    own = [kind for kind in registry.fact_types(spec.load()) if kind not in COMMON_FACTS]
    assert own, f"{spec.meta.id} : aucun type de faits déclaré dans @check(facts=…)"


def test_every_check_module_has_fact_level_unit_tests() -> None:
    modules = sorted(p.stem for p in (ROOT / "checks").glob("*.py") if p.stem != "__init__")
    missing = [m for m in modules if not (ROOT / "tests" / "facts" / f"test_{m}.py").exists()]
    assert not missing, f"tests/facts/test_<module>.py manquants : {missing}"


@pytest.mark.parametrize("scenario", ["demo", "conforme"])
def test_lab_findings_carry_valid_facts_of_a_declared_kind(lab: Lab, scenario: str) -> None:
    ctx = CheckContext(Target(domain=lab.scenarios[scenario].domain), lab.run_config(timeout=3.0))
    run = run_checks(ctx, BUILT_IN)
    kinds = {spec.meta.id: declared(spec) for spec in BUILT_IN}
    judged = [f for f in run.findings if f.status in (Status.PASS, Status.FAIL)]
    assert judged
    for finding in run.findings:
        if finding.error is not None and finding.error.reason == "bug":
            pytest.fail(f"{finding.check_id} : {finding.error.message}")
        if finding.facts_kind is None:
            # Only a check that could not observe anything (no questionnaire, no register
            # given, unreachable server) may leave its facts out.
            assert finding.status in (Status.NOT_APPLICABLE, Status.INDETERMINATE), finding
            continue
        model = kinds[finding.check_id].get(finding.facts_kind)
        assert model is not None, (finding.check_id, finding.facts_kind)
        model.model_validate(finding.facts)
