"""The headline verdict, judged on findings built in the test: no network, no files."""

from rgpd_audit.models import Basis, Finding, Severity, Status
from rgpd_audit.scoring import verdict


def _control(
    control_id: str,
    status: Status,
    severity: Severity,
    basis: Basis = Basis.RECOMMENDATION,
    counts_as: str | None = None,
) -> Finding:
    return Finding(
        check_id=control_id,
        title=control_id,
        status=status,
        severity=severity,
        category="gouvernance",
        summary="…",
        remediation="…",
        basis=basis,
        counts_as=counts_as,
    )


def _obligations_met(count: int) -> list[Finding]:
    return [
        _control(f"q.ok{i}", Status.PASS, Severity.HIGH, Basis.OBLIGATION) for i in range(count)
    ]


def test_an_unmet_critical_obligation_puts_the_letter_at_e_whatever_the_rest() -> None:
    findings = [
        *_obligations_met(30),
        _control("q.hds", Status.FAIL, Severity.CRITICAL, Basis.OBLIGATION),
    ]
    result = verdict(findings, answered=True)
    assert result.conformity_score is not None and result.conformity_score >= 90
    assert result.grade == "E"
    assert result.capped_by is Severity.CRITICAL
    assert (result.unmet_obligations, result.met_obligations) == (1, 30)


def test_an_unmet_high_obligation_puts_the_letter_at_c() -> None:
    findings = [
        *_obligations_met(30),
        _control("q.registre", Status.FAIL, Severity.HIGH, Basis.OBLIGATION),
    ]
    assert verdict(findings, answered=True).grade == "C"


def test_failed_recommendations_never_touch_the_conformity_letter() -> None:
    dns_failures = [
        _control(f"mail.{name}", Status.FAIL, Severity.MEDIUM)
        for name in ("dmarc.policy", "dane.tlsa", "mta_sts.record")
    ]
    result = verdict([*_obligations_met(10), *dns_failures], answered=True)
    assert result.grade == "A"
    assert result.unmet_obligations == 0
    assert result.security_score == 0
    assert result.failed_controls == 3


def test_a_perfect_dns_cannot_lift_an_unmet_obligation() -> None:
    perfect_dns = [_control(f"mail.ok{i}", Status.PASS, Severity.MEDIUM) for i in range(200)]
    unmet = _control("q.whatsapp", Status.FAIL, Severity.CRITICAL, Basis.OBLIGATION)
    result = verdict([*perfect_dns, unmet], answered=True)
    assert result.grade in ("E", "F")
    assert result.security_score == 100


def test_without_answers_there_is_no_letter() -> None:
    findings = [
        _control("mail.provider.consumer", Status.FAIL, Severity.CRITICAL, Basis.OBLIGATION),
        _control("mail.spf.present", Status.PASS, Severity.MEDIUM),
    ]
    result = verdict(findings, answered=False)
    assert result.grade is None and result.scope == "technique"
    assert result.unmet_obligations == 1
    assert result.failed_controls == 1


def test_one_thing_seen_three_ways_is_one_penalty_and_one_count() -> None:
    policy = "auth.password.policy"
    findings = [
        _control(policy, Status.FAIL, Severity.MEDIUM),
        _control("q.acces.mdp_longueur", Status.FAIL, Severity.MEDIUM, counts_as=policy),
        _control("q.acces.mdp_blocage", Status.FAIL, Severity.MEDIUM, counts_as=policy),
        _control("mail.spf.present", Status.PASS, Severity.MEDIUM),
    ]
    result = verdict(findings, answered=True)
    assert result.failed_controls == 1
    # One failed control of weight 3 beside one passed of weight 3.
    assert result.security_score == 50


def test_a_control_failing_on_an_obligation_rule_counts_as_an_obligation() -> None:
    findings = [
        *_obligations_met(5),
        # Declared a recommendation when in order, but the rule that fired rests on a text.
        _control("q.messagerie", Status.FAIL, Severity.CRITICAL, Basis.OBLIGATION),
    ]
    result = verdict(findings, answered=True)
    assert result.unmet_obligations == 1 and result.grade == "E"
