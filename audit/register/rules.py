"""What `register validate` and the `register.*` checks find in a register.

Each rule is named after the check that reports it, so the command line and the audit report
say the same thing about the same row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import JsonValue

from rgpd_audit.register import retention, substance
from rgpd_audit.register.content import (
    Layout,
    RetentionRule,
    Substance,
    layout,
    retention_rules,
)
from rgpd_audit.register.content import substance as substance_texts
from rgpd_audit.register.model import Activity, Register
from rgpd_audit.register.text import contains_phrase, fold

ART30 = "register.art30.fields"
LEGAL_BASIS = "register.legal_basis"
ART9 = "register.health.art9_exception"
TRANSFERS = "register.transfers.safeguards"
RETENTION = "register.retention.referentiel"
PROCESSORS = "register.processors.contracts"
DPIA = "register.dpia.flag"
RULES = (ART30, LEGAL_BASIS, ART9, TRANSFERS, RETENTION, PROCESSORS, DPIA)

# Article 30.1 fields every activity must fill (a: controller … g: security), plus its name.
ART30_FIELDS = (
    "name",
    "controller",
    "purpose",
    "persons",
    "data_categories",
    "recipients",
    "transfers",
    "retention",
    "security",
)
_ART9_NUMBER = re.compile(r"\b9 2 [a-j]\b")


@dataclass(frozen=True)
class Issue:
    """One thing to fix in one activity."""

    rule: str
    activity: int
    column: str
    message: str
    value: str | None = None


@dataclass(frozen=True)
class RetentionVerdict:
    """How an activity's retention compares with the period the CNIL recommends for it.

    One per rule that really covers the activity (see `retention.scopes`); an activity may
    state several categories (« dossier : 20 ans ; traces d'accès : 1 an »).
    """

    activity: int
    rule: RetentionRule
    conforms: bool


@dataclass(frozen=True)
class Validation:
    """Everything found in a register."""

    register: Register
    issues: list[Issue]
    retention: list[RetentionVerdict]

    @property
    def complete(self) -> bool:
        """True when the register lists activities and none has anything to fix."""
        return bool(self.register.activities) and not self.issues

    def issues_of(self, rule: str) -> dict[int, list[Issue]]:
        """The issues of one rule, by activity index, in file order."""
        grouped: dict[int, list[Issue]] = {}
        for issue in self.issues:
            if issue.rule == rule:
                grouped.setdefault(issue.activity, []).append(issue)
        return grouped

    def where(self, issue: Issue) -> str:
        """« feuille « Registre », ligne 4, colonne « Base légale » (E) »."""
        activity = self.register.activities[issue.activity]
        return activity.location.describe(self.register.column_label(issue.column))


def dpia_required(answers: Mapping[str, JsonValue]) -> bool | None:
    """Whether the questionnaire's answers put the practice over the référentiel's threshold.

    None when the answers do not say (no questionnaire, or the questions were skipped).
    """
    threshold = layout().dpia_threshold
    structure = answers.get(threshold.structure_question)
    if structure is None:
        return None
    if structure != threshold.structure_answer:
        return False
    patients = answers.get(threshold.patients_question)
    if not isinstance(patients, int | float) or isinstance(patients, bool):
        return None
    return patients > threshold.patients_over


def validate(register: Register, needs_dpia: bool | None = None) -> Validation:
    """Check every activity of `register`.

    `needs_dpia` (from the questionnaire, see `dpia_required`) makes a health-data activity
    marked « AIPD non requise » a finding when the practice is over the CNIL threshold.
    """
    grid = layout()
    texts = substance_texts()
    issues: list[Issue] = []
    verdicts: list[RetentionVerdict] = []
    for index, activity in enumerate(register.activities):
        issues += _art30(index, activity, grid)
        issues += _legal_basis(index, activity, grid, texts)
        issues += _art9(index, activity, grid, texts)
        issues += _transfers(index, activity, grid, texts)
        issues += _processors(index, activity)
        issues += _dpia(index, activity, needs_dpia)
        found = _retention(index, activity, grid)
        verdicts += [verdict for verdict, _ in found]
        issues += [issue for _, issue in found if issue is not None]
    return Validation(register, issues, verdicts)


def _art30(index: int, activity: Activity, grid: Layout) -> list[Issue]:
    return [
        Issue(
            ART30,
            index,
            key,
            f"rubrique « {grid.column(key).header} » non renseignée",
            getattr(activity, key),
        )
        for key in ART30_FIELDS
        if grid.is_blank(getattr(activity, key))
    ]


def _legal_basis(index: int, activity: Activity, grid: Layout, texts: Substance) -> list[Issue]:
    value = activity.legal_basis
    if grid.is_blank(value):
        return [Issue(LEGAL_BASIS, index, "legal_basis", "base légale non indiquée", value)]
    assert value is not None
    folded = fold(value)
    if any(contains_phrase(folded, fold(w)) for ws in grid.legal_bases.values() for w in ws):
        consent = substance.consent_basis_for_care(activity, texts, grid)
        return [] if consent is None else [Issue(LEGAL_BASIS, index, "legal_basis", consent, value)]
    expected = ", ".join(grid.legal_bases)
    return [
        Issue(
            LEGAL_BASIS,
            index,
            "legal_basis",
            f"base légale « {value} » non reconnue (article 6.1 du RGPD : {expected})",
            value,
        )
    ]


def _art9(index: int, activity: Activity, grid: Layout, texts: Substance) -> list[Issue]:
    contradiction = substance.categories_contradict_flag(activity, texts, grid)
    if contradiction is not None:
        return [Issue(ART9, index, "data_categories", contradiction, activity.data_categories)]
    if activity.health_data is None:
        return [
            Issue(
                ART9,
                index,
                "health_data",
                "le registre ne dit pas si le traitement porte sur des données de santé",
            )
        ]
    if not activity.health_data:
        return []
    value = activity.art9_exception
    if grid.is_blank(value):
        return [
            Issue(
                ART9,
                index,
                "art9_exception",
                "données de santé sans exception de l'article 9.2 indiquée",
                value,
            )
        ]
    assert value is not None
    # Checked first: « consentement du patient » is no 9.2 wording, but the finding to give
    # a practitioner is that care does not rest on consent.
    consent = substance.consent_exception_for_care(activity, texts, grid)
    if consent is not None:
        return [Issue(ART9, index, "art9_exception", consent, value)]
    folded = fold(value)
    if _ART9_NUMBER.search(folded) or any(
        contains_phrase(folded, fold(w)) for w in grid.art9_exceptions
    ):
        return []
    return [
        Issue(
            ART9,
            index,
            "art9_exception",
            f"exception « {value} » non reconnue (attendu : un cas de l'article 9.2, de 9.2.a à "
            "9.2.j, par exemple 9.2.h pour les soins)",
            value,
        )
    ]


def _transfers(index: int, activity: Activity, grid: Layout, texts: Substance) -> list[Issue]:
    value = activity.transfers
    if grid.is_blank(value) or grid.is_none(value or ""):
        return []  # a missing answer is an article 30 finding; « aucun » needs no safeguard
    issues = []
    missing = substance.missing_safeguards(activity, texts, grid)
    if missing is not None:
        issues.append(
            Issue(TRANSFERS, index, "transfer_safeguards", missing, activity.transfer_safeguards)
        )
    # Safeguards or not, health data abroad raise the HDS question.
    abroad = substance.health_data_abroad(activity, texts)
    if abroad is not None:
        issues.append(Issue(TRANSFERS, index, "transfers", abroad, value))
    return issues


def _processors(index: int, activity: Activity) -> list[Issue]:
    if activity.processors is None:
        return [
            Issue(
                PROCESSORS,
                index,
                "processors",
                "sous-traitants non indiqués (écrire « aucun » s'il n'y en a pas)",
                activity.processors_text,
            )
        ]
    issues = []
    for processor in activity.processors:
        if processor.contract is False:
            message = f"{processor.name} : pas de contrat de sous-traitance (art. 28)"
        elif processor.contract is None:
            message = (
                f"{processor.name} : existence du contrat non indiquée (ajouter « (contrat : oui) »"
                " ou « (contrat : non) »)"
            )
        else:
            continue
        issues.append(Issue(PROCESSORS, index, "processors", message, processor.name))
    return issues


def _dpia(index: int, activity: Activity, needs_dpia: bool | None) -> list[Issue]:
    if activity.dpia is None:
        return [
            Issue(
                DPIA,
                index,
                "dpia",
                "analyse d'impact (AIPD) non renseignée : « réalisée », « non requise » ou "
                "« à faire »",
                activity.dpia_text,
            )
        ]
    if activity.dpia == "planned":
        return [Issue(DPIA, index, "dpia", "analyse d'impact à réaliser", activity.dpia_text)]
    if activity.dpia == "not_required" and needs_dpia and activity.health_data:
        source = layout().dpia_threshold
        return [
            Issue(
                DPIA,
                index,
                "dpia",
                "AIPD marquée « non requise » alors que, selon les réponses au questionnaire, le "
                f"cabinet partage un système d'information commun et prend en charge plus de "
                f"{source.patients_over} patients par an ({source.source})",
                activity.dpia_text,
            )
        ]
    return []


def _retention(
    index: int, activity: Activity, grid: Layout
) -> list[tuple[RetentionVerdict, Issue | None]]:
    if grid.is_blank(activity.retention):
        return []  # an article 30 finding: nothing to compare
    value = activity.retention or ""
    code = None if grid.is_blank(activity.code) else activity.code
    found = []
    for scope in retention.scopes(retention_rules().rules, code, activity.name, value):
        message = retention.judge(scope)
        issue = None if message is None else Issue(RETENTION, index, "retention", message, value)
        found.append((RetentionVerdict(index, scope.rule, message is None), issue))
    return found
