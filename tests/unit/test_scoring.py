from rgpd_audit.catalog import scoring_table
from rgpd_audit.models import ErrorInfo, Finding, Severity, Status
from rgpd_audit.scoring import grade_for, score


def _finding(
    check_id: str,
    status: Status,
    severity: Severity,
    category: str = "messagerie",
    check_severity: Severity | None = None,
) -> Finding:
    return Finding(
        check_id=check_id,
        title=check_id,
        status=status,
        severity=severity,
        check_severity=check_severity,
        category=category,
        summary="…",
        remediation="…",
        error=ErrorInfo(reason="timeout", message="…") if status is Status.INDETERMINATE else None,
    )


def test_indeterminate_leaves_the_score_unchanged_and_lowers_coverage() -> None:
    base = [_finding("a", Status.PASS, Severity.HIGH), _finding("b", Status.FAIL, Severity.MEDIUM)]
    with_unknown = [*base, _finding("c", Status.INDETERMINATE, Severity.HIGH)]
    first, second = score(base).overall, score(with_unknown).overall
    assert first.score == second.score == round(100 * 6 / 9)
    assert first.coverage == 100
    assert second.coverage == 67
    assert second.not_evaluated == 1


def test_a_control_on_several_servers_counts_once_by_its_worst_server() -> None:
    findings = [
        _finding("mail.tls.certificate", Status.PASS, Severity.HIGH, check_severity=Severity.HIGH),
        _finding("mail.tls.certificate", Status.FAIL, Severity.LOW, check_severity=Severity.HIGH),
        _finding("mail.mx.present", Status.PASS, Severity.MEDIUM),
    ]
    overall = score(findings).overall
    # Certificate: worth 6, loses the weight of "low" (1) → 5; MX: 3/3.
    assert overall.score == round(100 * 8 / 9)
    assert overall.evaluated == 2
    assert overall.failed == 1


def test_failed_critical_caps_the_grade() -> None:
    findings = [_finding(f"ok{i}", Status.PASS, Severity.CRITICAL) for i in range(20)]
    findings.append(_finding("bad", Status.FAIL, Severity.CRITICAL))
    overall = score(findings).overall
    assert overall.score == 95
    assert overall.grade == scoring_table().critical_failure_cap
    assert overall.capped_by_critical


def test_categories_follow_the_table_order_and_unknown_ones_come_last() -> None:
    findings = [
        _finding("x", Status.PASS, Severity.LOW, category="extension-tierce"),
        _finding("y", Status.FAIL, Severity.HIGH, category="communication"),
        _finding("z", Status.PASS, Severity.HIGH, category="messagerie"),
    ]
    categories = [c.category for c in score(findings).categories]
    assert categories == ["messagerie", "communication", "extension-tierce"]
    assert score(findings).categories[1].score == 0


def test_nothing_evaluated_gives_no_score() -> None:
    overall = score([_finding("a", Status.NOT_APPLICABLE, Severity.HIGH)]).overall
    assert overall.score is None and overall.grade is None and overall.coverage == 0


def test_grade_thresholds_come_from_the_table() -> None:
    table = scoring_table()
    assert [grade_for(step.min, table) for step in table.grades] == [s.grade for s in table.grades]


def test_a_control_passed_on_one_server_and_untested_on_another_is_not_evaluated() -> None:
    partial = [
        _finding("mail.starttls.offered", Status.PASS, Severity.HIGH),
        _finding("mail.starttls.offered", Status.INDETERMINATE, Severity.HIGH),
        _finding("mail.mx.present", Status.FAIL, Severity.MEDIUM),
    ]
    overall = score(partial).overall
    assert overall.score == 0
    assert overall.evaluated == 1 and overall.not_evaluated == 1
    failing = [*partial[:1], _finding("mail.starttls.offered", Status.FAIL, Severity.HIGH)]
    assert score(failing).overall.evaluated == 1
