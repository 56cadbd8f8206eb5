"""Two audits compared by the findings' stable key (control + subject)."""

from types import SimpleNamespace

from rgpd_audit.history.diff import compare


def test_resolved_new_persisting_and_unverified(builders: SimpleNamespace) -> None:
    f = builders.finding
    old = builders.audit(
        "2025-03-10T09:00:00+00:00",
        [
            f("mail.dmarc.policy", "fail"),
            f("mail.tls.certificate", "fail", subject="mx1.exemple.fr"),
            f("mail.tls.certificate", "fail", subject="mx2.exemple.fr"),
            f("q.gouvernance.registre", "fail"),
            f("mail.dane.tlsa", "fail", subject="mx1.exemple.fr"),
            f("mail.spf.all", "pass"),
            f("mail.dkim.testing", "fail", severity="info"),
        ],
    )
    new = builders.audit(
        "2026-03-10T09:00:00+00:00",
        [
            f("mail.dmarc.policy", "pass"),
            f("mail.tls.certificate", "pass", subject="mx1.exemple.fr"),
            f("mail.tls.certificate", "fail", subject="mx2.exemple.fr"),
            f("q.gouvernance.registre", "not_applicable"),
            f("mail.dane.tlsa", "indeterminate", subject="mx1.exemple.fr"),
            f("mail.spf.all", "fail", severity="medium"),
        ],
        grade="B",
    )
    diff = compare(old, new)
    key = lambda refs: [(r.control, r.subject) for r in refs]  # noqa: E731
    assert key(diff.changes.resolved) == [
        ("mail.dmarc.policy", None),
        ("mail.tls.certificate", "mx1.exemple.fr"),
        ("q.gouvernance.registre", None),
    ]
    assert key(diff.changes.new) == [("mail.spf.all", None)]
    assert key(diff.changes.persisting) == [("mail.tls.certificate", "mx2.exemple.fr")]
    # Not evaluated this time: never reported as fixed. Advice (info) is no non-compliance.
    assert key(diff.changes.unverified) == [("mail.dane.tlsa", "mx1.exemple.fr")]
    assert (diff.old.grade, diff.new.grade) == ("C", "B")


def test_findings_counted_as_one_control_follow_its_key(builders: SimpleNamespace) -> None:
    f = builders.finding
    # The password policy seen in the answers and by a check: one control, at its worst.
    old = builders.audit(
        "2025-03-10T09:00:00+00:00",
        [
            f("q.acces.politique", "fail", counts_as="auth.password.policy"),
            f("auth.password.policy", "pass"),
        ],
    )
    new = builders.audit(
        "2026-03-10T09:00:00+00:00",
        [
            f("q.acces.politique", "pass", counts_as="auth.password.policy"),
            f("auth.password.policy", "pass"),
        ],
    )
    diff = compare(old, new)
    assert [r.control for r in diff.changes.resolved] == ["auth.password.policy"]
    assert not diff.changes.new and not diff.changes.persisting
