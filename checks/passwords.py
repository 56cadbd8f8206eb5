"""Passwords: the declared policy and the strength of passwords tested in the interview.

Both checks judge data the practice declared (questionnaire answers, derived results of the
hidden password tests); neither sees a password.
"""

from __future__ import annotations

from rgpd_audit.context import CheckContext
from rgpd_audit.models import CheckResult, Evidence, Status
from rgpd_audit.password.cnil import decimal, judge
from rgpd_audit.password.policy import evaluate_policy
from rgpd_audit.password.results import Assessment
from rgpd_audit.registry import check


@check("auth.password.policy")
def password_policy(ctx: CheckContext) -> list[CheckResult]:
    """Minimum length, required types and lockout declared, against CNIL 2022-100."""
    return [evaluate_policy(ctx.answers)]


@check("auth.password.strength")
def password_strength(ctx: CheckContext) -> list[CheckResult]:
    """One finding per password tested (hidden) during the interview."""
    if not ctx.password_tests:
        return [
            CheckResult(
                status=Status.NOT_APPLICABLE,
                summary="Aucun mot de passe testé : l'étape facultative de test des mots de "
                "passe, proposée à la fin du questionnaire, n'a pas été faite.",
            )
        ]
    return [_finding(test) for test in ctx.password_tests]


def _finding(test: Assessment) -> CheckResult:
    verdict = judge(test)
    evidence = [
        Evidence(label="Note zxcvbn (0 à 4)", value=test.score),
        Evidence(label="Essais estimés (log2)", value=decimal(test.guesses_log2)),
        Evidence(label="Entropie retenue (bits)", value=decimal(test.cnil_bits)),
        Evidence(label=f"Seuil CNIL, cas n° {verdict.case_number}", value=verdict.required_bits),
    ]
    if test.warning:
        evidence.append(Evidence(label="Avertissement", value=test.warning))
    evidence += [Evidence(label="Conseil", value=s) for s in test.suggestions]
    return CheckResult(
        status=Status.PASS if verdict.compliant else Status.FAIL,
        subject=test.label,
        summary=verdict.summary,
        evidence=evidence,
        remediation_key="cabinet" if test.practice_word else None,
    )
