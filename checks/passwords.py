"""Passwords: the declared policy and the strength of passwords tested in the interview.

Both checks judge data the practice declared (questionnaire answers, derived results of the
hidden password tests); neither sees a password. Facts first (the policy as declared, each
test's derived figures at the precision the report shows them), then the verdicts and their
words (`judge_policy`, `judge_strength`), pure functions of the facts.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, JsonValue

from rgpd_audit.password.cnil import decimal, judge, meets
from rgpd_audit.password.policy import CLASSES, LENGTH, LOCKOUT, MODE, SOFTWARE, evaluate_policy
from rgpd_audit.password.results import Assessment, CaseId
from rgpd_audit.plugin import (
    CheckResult,
    Context,
    Evidence,
    Facts,
    check,
    failed,
    not_applicable,
    passed,
)

#: Most pieces of advice kept per tested password (zxcvbn gives two or three).
MAX_SUGGESTIONS = 10


class PasswordPolicyFacts(Facts):
    """The password policy of the practice software, as declared in the questionnaire."""

    kind: ClassVar[str] = "password.policy"

    questionnaire: bool = Field(description="Questionnaire answers were given to the audit")
    software: str | None = Field(None, description="Answer on the practice software")
    login_mode: str | None = Field(
        None, description="How staff log in to it: mot_de_passe, deux_facteurs, cps, sans…"
    )
    min_length: int | None = Field(None, description="Minimum password length required")
    required_classes: list[str] | None = Field(
        None,
        description="Character types required (minuscules, majuscules, chiffres, speciaux); "
        "a subset of the questionnaire's four choices",
    )
    lockout: str | None = Field(
        None, description="Limit on failed attempts: blocage, temporisation, aucun…"
    )

    def answers(self) -> dict[str, JsonValue]:
        """The answers the policy analyser reads; none without a questionnaire."""
        if not self.questionnaire:
            return {}
        classes: JsonValue = (
            list(self.required_classes) if self.required_classes is not None else None
        )
        return {
            SOFTWARE: self.software,
            MODE: self.login_mode,
            LENGTH: self.min_length,
            CLASSES: classes,
            LOCKOUT: self.lockout,
        }


class PasswordTestFacts(Facts):
    """One password tested (hidden) during the interview: derived figures only.

    Figures are kept at the precision the report shows them: never the number of guesses
    itself, which for a dictionary word is close to its rank in the list.
    """

    kind: ClassVar[str] = "password.test"

    label: str = Field(description="The account the password protects")
    case: CaseId = Field(description="CNIL 2022-100 case the password is judged against")
    case_number: int
    case_label: str
    required_bits: int = Field(description="Entropy the case requires")
    score: int = Field(ge=0, le=4, description="zxcvbn score, 0 (very weak) to 4")
    guesses_log2: float = Field(description="log2 of the estimated guesses, one decimal")
    cnil_bits: float = Field(description="Entropy in the CNIL's sense, one decimal")
    estimated_bits: int = Field(description="The same entropy in whole bits")
    reaches_required_bits: bool = Field(
        description="The entropy, rounded to the nearest bit as the CNIL does, reaches "
        "required_bits"
    )
    predictable: bool = Field(
        description="Mostly a common word, a name, a keyboard walk or a repetition"
    )
    practice_word: bool = Field(description="Contains public information about the practice")
    warning: str | None = Field(None, description="zxcvbn's warning, in French")
    suggestions: list[str] = Field(default_factory=list, description="Advice, in French")


class PasswordTestsFacts(Facts):
    """How many passwords were tested during the interview."""

    kind: ClassVar[str] = "password.tests"

    tested: int


@check("auth.password.policy", facts=PasswordPolicyFacts)
def password_policy(ctx: Context) -> list[CheckResult]:
    """Minimum length, required types and lockout declared, against CNIL 2022-100."""
    return [judge_policy(gather_policy(ctx))]


@check("auth.password.strength", facts=(PasswordTestsFacts, PasswordTestFacts))
def password_strength(ctx: Context) -> list[CheckResult]:
    """One finding per password tested (hidden) during the interview."""
    tests = [strength_facts(test) for test in ctx.password_tests]
    if not tests:
        return [judge_no_test(PasswordTestsFacts(tested=0))]
    return [judge_strength(facts) for facts in tests]


# --- facts ----------------------------------------------------------------------------------


def gather_policy(ctx: Context) -> PasswordPolicyFacts:
    """The policy answers, typed; an answer of another type than expected counts as absent."""
    answers = ctx.answers
    length = answers.get(LENGTH)
    classes = answers.get(CLASSES)
    return PasswordPolicyFacts(
        questionnaire=bool(answers),
        software=_choice(answers.get(SOFTWARE)),
        login_mode=_choice(answers.get(MODE)),
        min_length=int(length)
        if isinstance(length, int | float) and not isinstance(length, bool)
        else None,
        # The questionnaire offers four types: the list is bounded by its choices.
        required_classes=[str(c) for c in classes] if isinstance(classes, list) else None,
        lockout=_choice(answers.get(LOCKOUT)),
    )


def _choice(value: JsonValue) -> str | None:
    # A choice is a string; anything else compares unequal to every choice either way.
    return None if value is None else str(value)


def strength_facts(test: Assessment) -> PasswordTestFacts:
    """The facts of one tested password, with its CNIL case from the analyser."""
    verdict = judge(test)
    return PasswordTestFacts(
        label=test.label,
        case=test.case,
        case_number=verdict.case_number,
        case_label=verdict.case_label,
        required_bits=verdict.required_bits,
        score=test.score,
        guesses_log2=round(test.guesses_log2, 1),
        cnil_bits=round(test.cnil_bits, 1),
        estimated_bits=int(f"{test.cnil_bits:.0f}"),
        reaches_required_bits=meets(test.cnil_bits, verdict.required_bits),
        predictable=test.predictable,
        practice_word=test.practice_word,
        warning=test.warning,
        suggestions=list(test.suggestions[:MAX_SUGGESTIONS]),
    )


# --- verdicts and words ---------------------------------------------------------------------


def judge_policy(facts: PasswordPolicyFacts) -> CheckResult:
    """The policy analyser's verdict on the declared policy, with the facts it read."""
    return evaluate_policy(facts.answers()).model_copy(update={"facts": facts})


def judge_no_test(facts: PasswordTestsFacts) -> CheckResult:
    """The optional password test was not done."""
    return not_applicable(
        "Aucun mot de passe testé : l'étape facultative de test des mots de passe, proposée à "
        "la fin du questionnaire, n'a pas été faite.",
        facts,
    )


def judge_strength(facts: PasswordTestFacts) -> CheckResult:
    """Compliant when the entropy reaches the case's threshold and nothing makes the password
    guessable (a common word, the practice's name); worded as `rgpd-audit password` says it."""
    missing: list[str] = []
    if not facts.reaches_required_bits:
        missing.append(
            f"il faudrait au moins {facts.required_bits} bits ; ce mot de passe en apporte "
            f"environ {facts.estimated_bits}"
        )
    if facts.predictable:
        missing.append(
            "il repose surtout sur un mot courant, un nom, une suite de touches ou une "
            "répétition : il se devine quelle que soit sa longueur"
        )
    if facts.practice_word:
        missing.append("il contient une information publique sur le cabinet")
    evidence = [
        Evidence(label="Note zxcvbn (0 à 4)", value=facts.score),
        Evidence(label="Essais estimés (log2)", value=decimal(facts.guesses_log2)),
        Evidence(label="Entropie retenue (bits)", value=decimal(facts.cnil_bits)),
        Evidence(label=f"Seuil CNIL, cas n° {facts.case_number}", value=facts.required_bits),
    ]
    if facts.warning:
        evidence.append(Evidence(label="Avertissement", value=facts.warning))
    evidence += [Evidence(label="Conseil", value=s) for s in facts.suggestions]
    if not missing:
        return passed(
            f"{facts.label} : conforme au cas n° {facts.case_number} de la CNIL "
            f"({facts.case_label}, {facts.required_bits} bits) — environ {facts.estimated_bits} "
            f"bits estimés, note {facts.score}/4.",
            facts,
            subject=facts.label,
            evidence=evidence,
        )
    return failed(
        f"{facts.label} : non conforme au cas n° {facts.case_number} de la CNIL "
        f"({facts.case_label}) — {' ; '.join(missing)}. Note {facts.score}/4.",
        facts,
        subject=facts.label,
        evidence=evidence,
        remediation="cabinet" if facts.practice_word else None,
    )
