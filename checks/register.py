"""The processing register given with `run --register`: article 30 fields, legal bases,
article 9, transfers, retention periods, processors' contracts and DPIA flags.

The findings are those of `rgpd-audit register validate`, one per activity at fault, each
naming the sheet and row it concerns.
"""

from __future__ import annotations

from pathlib import PurePath

from rgpd_audit.context import CheckContext
from rgpd_audit.errors import CheckError
from rgpd_audit.models import CheckResult, Evidence, Status
from rgpd_audit.register import (
    RegisterError,
    Validation,
    dpia_required,
    load_register,
    rules,
    validate,
)
from rgpd_audit.registry import check


@check("register.art30.fields")
def art30_fields(ctx: CheckContext) -> list[CheckResult]:
    """Every activity fills the fields article 30.1 requires."""
    return _results(ctx, rules.ART30, "toutes les rubriques de l'article 30 sont renseignées")


@check("register.legal_basis")
def legal_basis(ctx: CheckContext) -> list[CheckResult]:
    """Every activity names a legal basis of article 6.1, and care does not rest on consent."""
    return _results(ctx, rules.LEGAL_BASIS, "chaque traitement indique une base légale reconnue")


@check("register.health.art9_exception")
def art9_exception(ctx: CheckContext) -> list[CheckResult]:
    """Activities on health data name the article 9.2 exception they rely on (9.2.h for care),
    and health data named in the data categories are flagged as such."""
    return _results(
        ctx,
        rules.ART9,
        "chaque traitement de données de santé indique son exception (art. 9.2), et les "
        "catégories de données concordent avec la colonne « Données de santé »",
    )


@check("register.transfers.safeguards")
def transfer_safeguards(ctx: CheckContext) -> list[CheckResult]:
    """Transfers outside the EU come with their safeguards; health data sent abroad raise the
    HDS hosting question, which no safeguard or adequacy decision settles."""
    return _results(
        ctx,
        rules.TRANSFERS,
        "aucun transfert hors UE sans garanties, aucune donnée de santé transférée hors UE",
    )


@check("register.retention.referentiel")
def retention_referentiel(ctx: CheckContext) -> list[CheckResult]:
    """Retention periods match those the CNIL recommends, where the tool knows them."""
    found = _validation(ctx)
    if found is None:
        return [_no_register()]
    if not found.retention:
        return [
            CheckResult(
                status=Status.NOT_APPLICABLE,
                summary="Aucun traitement du registre ne correspond à une durée de conservation "
                "recommandée connue de l'outil (dossier patient, doubles des feuilles de soins "
                "électroniques, traces d'accès) dont la durée est renseignée.",
            )
        ]
    # An activity may be judged by several rules; each category is named once.
    checked = ", ".join(dict.fromkeys(f"« {v.rule.label} »" for v in found.retention))
    return _results(ctx, rules.RETENTION, f"durées conformes aux recommandations ({checked})")


@check("register.processors.contracts")
def processor_contracts(ctx: CheckContext) -> list[CheckResult]:
    """Every processor named in the register has an article 28 contract."""
    return _results(ctx, rules.PROCESSORS, "chaque sous-traitant indiqué a un contrat (art. 28)")


@check("register.dpia.flag")
def dpia_flag(ctx: CheckContext) -> list[CheckResult]:
    """Every activity records whether a DPIA was done, is needed or is not required."""
    return _results(
        ctx, rules.DPIA, "la situation de chaque traitement vis-à-vis de l'AIPD est notée"
    )


def _validation(ctx: CheckContext) -> Validation | None:
    path = ctx.config.register_file
    if path is None:
        return None

    def compute() -> Validation:
        try:
            register = load_register(path)
        except RegisterError as exc:
            # `run` read the file before starting: it changed during the audit.
            raise CheckError("bug", f"registre illisible : {exc}") from None
        return validate(register, dpia_required(ctx.answers))

    return ctx.memo(("register", str(path)), compute)


def _no_register() -> CheckResult:
    return CheckResult(
        status=Status.NOT_APPLICABLE,
        summary="Aucun registre des traitements n'a été fourni pour cet audit.",
    )


def _file_name(source: str) -> str:
    # The report names the register the DPO handed over, not where it sat on the auditor's disk.
    return PurePath(source).name or source


def _results(ctx: CheckContext, rule: str, ok: str) -> list[CheckResult]:
    found = _validation(ctx)
    if found is None:
        return [_no_register()]
    activities = found.register.activities
    if not activities:
        # Said once, by the article 30 check; the others have nothing to judge.
        empty = "Le registre ne contient aucun traitement."
        status = Status.FAIL if rule == rules.ART30 else Status.NOT_APPLICABLE
        return [
            CheckResult(status=status, subject=_file_name(found.register.source), summary=empty)
        ]
    failed = []
    for index, issues in found.issues_of(rule).items():
        activity = activities[index]
        where = activity.location.describe()
        failed.append(
            CheckResult(
                status=Status.FAIL,
                subject=f"{activity.label} ({where})",
                summary=f"{activity.label} ({where}) : " + " ; ".join(i.message for i in issues),
                evidence=[
                    Evidence(label=found.where(issue), value=issue.value or "(vide)")
                    for issue in issues
                ],
            )
        )
    if failed:
        return failed
    return [
        CheckResult(
            status=Status.PASS,
            subject=_file_name(found.register.source),
            summary=f"{len(activities)} traitement(s) vérifié(s) : {ok}.",
        )
    ]
