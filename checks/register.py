"""The processing register given with `run --register`: article 30 fields, legal bases,
article 9, transfers, retention periods, processors' contracts and DPIA flags.

The findings are those of `rgpd-audit register validate`, one per activity at fault, each
naming the sheet and row it concerns. Facts first (`gather`: the register's file and size,
and for each activity at fault its row and the cells in question, as the validator reports
them), then the verdicts and their words (`judge_rule`, `judge_retention`), pure functions of
the facts.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from rgpd_audit.plugin import (
    CheckError,
    CheckResult,
    Context,
    Evidence,
    Facts,
    check,
    failed,
    not_applicable,
    passed,
)
from rgpd_audit.register import (
    Activity,
    Location,
    RegisterError,
    Validation,
    dpia_required,
    load_register,
    rules,
    validate,
)


class RegisterFacts(Facts):
    """The register given to the audit, as a whole."""

    kind: ClassVar[str] = "register.file"

    provided: bool = Field(description="A register file was given (run --register)")
    file: str | None = Field(None, description="Its file name (without the folder)")
    activities: int = Field(0, description="Processing activities (rows) it lists")


class RetentionCategory(BaseModel):
    """A category of data for which the CNIL recommends a retention period."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    label: str


class RetentionFacts(RegisterFacts):
    """The register, with the categories whose recommended retention the tool compared."""

    kind: ClassVar[str] = "register.retention"

    categories: list[RetentionCategory] = Field(
        default_factory=list,
        description="Categories of the CNIL's recommendations that activities of the register "
        "fall into and whose retention is filled in, each once",
    )


class CellProblem(BaseModel):
    """One cell of an activity that the validator reports."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    column: str = Field(description="Register column key (legal_basis, retention…)")
    column_label: str = Field(description="How the file names the column, with its letter")
    value: str | None = Field(None, description="What the cell says; absent when empty")
    message: str = Field(
        description="The validator's finding, worded as `rgpd-audit register validate` prints it"
    )


class RegisterRowFacts(Facts):
    """One activity of the register at fault for one rule, and the cells in question."""

    kind: ClassVar[str] = "register.row"

    rule: str = Field(description="The check id whose rule the activity breaks")
    file: str = Field(description="The register's file name")
    sheet: str | None = Field(None, description="The sheet (spreadsheets only)")
    row: int = Field(description="Row in the sheet, or line of a YAML register")
    name: str | None = Field(None, description="The activity's name, as written")
    problems: list[CellProblem] = Field(min_length=1)

    @property
    def location(self) -> Location:
        """Where the activity sits in its file."""
        return Location(sheet=self.sheet, row=self.row)

    @property
    def label(self) -> str:
        """The activity's name, or its place in the file when it has none."""
        return Activity(location=self.location, name=self.name).label


ROW_FACTS = (RegisterFacts, RegisterRowFacts)


@check("register.art30.fields", facts=ROW_FACTS)
def art30_fields(ctx: Context) -> list[CheckResult]:
    """Every activity fills the fields article 30.1 requires."""
    return judge_rule(
        rules.ART30,
        *gather(ctx, rules.ART30),
        "toutes les rubriques de l'article 30 sont renseignées",
    )


@check("register.legal_basis", facts=ROW_FACTS)
def legal_basis(ctx: Context) -> list[CheckResult]:
    """Every activity names a legal basis of article 6.1, and care does not rest on consent."""
    return judge_rule(
        rules.LEGAL_BASIS,
        *gather(ctx, rules.LEGAL_BASIS),
        "chaque traitement indique une base légale reconnue",
    )


@check("register.health.art9_exception", facts=ROW_FACTS)
def art9_exception(ctx: Context) -> list[CheckResult]:
    """Activities on health data name the article 9.2 exception they rely on (9.2.h for care),
    and health data named in the data categories are flagged as such."""
    return judge_rule(
        rules.ART9,
        *gather(ctx, rules.ART9),
        "chaque traitement de données de santé indique son exception (art. 9.2), et les "
        "catégories de données concordent avec la colonne « Données de santé »",
    )


@check("register.transfers.safeguards", facts=ROW_FACTS)
def transfer_safeguards(ctx: Context) -> list[CheckResult]:
    """Transfers outside the EU come with their safeguards; health data sent abroad raise the
    HDS hosting question, which no safeguard or adequacy decision settles."""
    return judge_rule(
        rules.TRANSFERS,
        *gather(ctx, rules.TRANSFERS),
        "aucun transfert hors UE sans garanties, aucune donnée de santé transférée hors UE",
    )


@check("register.retention.referentiel", facts=(RetentionFacts, RegisterRowFacts))
def retention_referentiel(ctx: Context) -> list[CheckResult]:
    """Retention periods match those the CNIL recommends, where the tool knows them."""
    return judge_retention(*gather_retention(ctx))


@check("register.processors.contracts", facts=ROW_FACTS)
def processor_contracts(ctx: Context) -> list[CheckResult]:
    """Every processor named in the register has an article 28 contract."""
    return judge_rule(
        rules.PROCESSORS,
        *gather(ctx, rules.PROCESSORS),
        "chaque sous-traitant indiqué a un contrat (art. 28)",
    )


@check("register.dpia.flag", facts=ROW_FACTS)
def dpia_flag(ctx: Context) -> list[CheckResult]:
    """Every activity records whether a DPIA was done, is needed or is not required."""
    return judge_rule(
        rules.DPIA,
        *gather(ctx, rules.DPIA),
        "la situation de chaque traitement vis-à-vis de l'AIPD est notée",
    )


# --- facts ----------------------------------------------------------------------------------


def gather(ctx: Context, rule: str) -> tuple[RegisterFacts, list[RegisterRowFacts]]:
    """The register as a whole and its activities at fault for `rule`, in file order."""
    found = _validation(ctx)
    if found is None:
        return RegisterFacts(provided=False), []
    return _register_facts(found), _rows(found, rule)


def gather_retention(ctx: Context) -> tuple[RetentionFacts, list[RegisterRowFacts]]:
    """The register with the retention categories compared, and the activities at fault."""
    found = _validation(ctx)
    if found is None:
        return RetentionFacts(provided=False), []
    # An activity may be judged by several rules; each category is named once.
    categories = {(v.rule.code, v.rule.label): None for v in found.retention}
    facts = RetentionFacts(
        **_register_facts(found).model_dump(),
        categories=[RetentionCategory(code=code, label=label) for code, label in categories],
    )
    return facts, _rows(found, rules.RETENTION)


def _validation(ctx: Context) -> Validation | None:
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


def _register_facts(found: Validation) -> RegisterFacts:
    register = found.register
    return RegisterFacts(
        provided=True, file=_file_name(register.source), activities=len(register.activities)
    )


def _file_name(source: str) -> str:
    # The report names the register the DPO handed over, not where it sat on the auditor's disk.
    return PurePath(source).name or source


def _rows(found: Validation, rule: str) -> list[RegisterRowFacts]:
    register = found.register
    rows = []
    for index, issues in found.issues_of(rule).items():
        activity = register.activities[index]
        rows.append(
            RegisterRowFacts(
                rule=rule,
                file=_file_name(register.source),
                sheet=activity.location.sheet,
                row=activity.location.row,
                name=activity.name,
                problems=[
                    CellProblem(
                        column=issue.column,
                        column_label=register.column_label(issue.column),
                        value=issue.value,
                        message=issue.message,
                    )
                    for issue in issues
                ],
            )
        )
    return rows


# --- verdicts and words ---------------------------------------------------------------------


def judge_rule(
    rule: str, register: RegisterFacts, rows: Sequence[RegisterRowFacts], ok: str
) -> list[CheckResult]:
    """One failure per activity at fault, else one pass saying `ok` of every activity.

    An empty register is said once, as a failure of article 30; the other rules have
    nothing to judge in it.
    """
    if not register.provided:
        return [
            not_applicable(
                "Aucun registre des traitements n'a été fourni pour cet audit.", register
            )
        ]
    if not register.activities:
        empty = "Le registre ne contient aucun traitement."
        if rule == rules.ART30:
            return [failed(empty, register, subject=register.file)]
        return [not_applicable(empty, register, subject=register.file)]
    if rows:
        return [_row_failure(row) for row in rows]
    return [
        passed(
            f"{register.activities} traitement(s) vérifié(s) : {ok}.",
            register,
            subject=register.file,
        )
    ]


def judge_retention(
    register: RetentionFacts, rows: Sequence[RegisterRowFacts]
) -> list[CheckResult]:
    """`judge_rule` for retention, when some activity falls into a category the tool knows."""
    if register.provided and not register.categories:
        return [
            not_applicable(
                "Aucun traitement du registre ne correspond à une durée de conservation "
                "recommandée connue de l'outil (dossier patient, doubles des feuilles de soins "
                "électroniques, traces d'accès) dont la durée est renseignée.",
                register,
            )
        ]
    checked = ", ".join(dict.fromkeys(f"« {c.label} »" for c in register.categories))
    return judge_rule(
        rules.RETENTION, register, rows, f"durées conformes aux recommandations ({checked})"
    )


def _row_failure(row: RegisterRowFacts) -> CheckResult:
    location = row.location
    where = location.describe()
    return failed(
        f"{row.label} ({where}) : " + " ; ".join(p.message for p in row.problems),
        row,
        subject=f"{row.label} ({where})",
        evidence=[
            Evidence(label=location.describe(p.column_label), value=p.value or "(vide)")
            for p in row.problems
        ],
    )
