"""`rgpd-audit questionnaire`: the interview, and the tools of content authors and DPOs.

Without a subcommand it runs the interactive interview. `show`, `validate`, `template` and
`schema` print the questionnaire, check a questionnaire file, write an answers skeleton and
publish the JSON Schema of answers files. Only typer is imported at start-up.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rgpd_audit.cli_common import OutputFormat, fail, input_errors
from rgpd_audit.cli_french import FrenchTyper
from rgpd_audit.cli_history import DbOpt, open_store, resolve_history

if TYPE_CHECKING:
    from rgpd_audit.history.location import HistoryLocation
    from rgpd_audit.history.store import RecordedAnswers
    from rgpd_audit.questionnaire import Answers, Questionnaire
    from rgpd_audit.runner import QuestionnaireInput

EXIT_INTERRUPTED = 130
DEFAULT_ANSWERS = Path("reponses.yaml")

questionnaire_app = FrenchTyper(
    help="Questionnaire RGPD : entretien interactif (sans sous-commande), relecture du contenu, "
    "modèle et schéma du fichier de réponses.",
)

ProfileOpt = Annotated[
    str | None,
    typer.Option(
        "--profile",
        metavar="PROFIL",
        help="Profil : medecin, paramedical, cabinet-groupe, telesecretariat.",
    ),
]
QuestionnaireOpt = Annotated[
    Path | None,
    typer.Option(
        "--questionnaire",
        metavar="FICHIER",
        help="Fichier de questionnaire à utiliser à la place de celui fourni avec l'outil.",
    ),
]


@questionnaire_app.callback(invoke_without_command=True)
def interview(
    ctx: typer.Context,
    profile: ProfileOpt = None,
    answers_out: Annotated[
        Path,
        typer.Option(
            "--answers-out",
            metavar="FICHIER",
            show_default=False,
            help="Fichier de réponses écrit à la fin (défaut : reponses.yaml). Le brouillon, "
            "enregistré après chaque réponse, est à côté : reponses.brouillon.yaml.",
        ),
    ] = DEFAULT_ANSWERS,
    resume: Annotated[
        bool, typer.Option("--resume", help="Reprend un entretien interrompu (son brouillon).")
    ] = False,
    reprendre: Annotated[
        str | None,
        typer.Option(
            "--reprendre",
            metavar="DOMAINE",
            help="Part des réponses du dernier audit de ce cabinet enregistré dans "
            "l'historique : seules les questions nouvelles ou modifiées sont posées.",
        ),
    ] = None,
    questionnaire_file: QuestionnaireOpt = None,
    db: DbOpt = None,
) -> None:
    """Entretien interactif : une question à la fois, chaque réponse enregistrée aussitôt."""
    if ctx.invoked_subcommand is not None:
        return
    if not sys.stdin.isatty():
        fail(
            "l'entretien interactif demande un terminal ; pour remplir les réponses dans un "
            "éditeur, utilisez « rgpd-audit questionnaire template »"
        )
    with input_errors():
        questionnaire = _questionnaire(questionnaire_file)
        if reprendre is not None:
            if resume:
                fail("--reprendre et --resume ne vont pas ensemble")
            _check_profile(questionnaire, profile)
            profile = _seed_from_history(questionnaire, reprendre, db, profile, answers_out)
            resume = True
    hint = ["rgpd-audit", "questionnaire", "--resume"]
    if answers_out != DEFAULT_ANSWERS:
        hint += ["--answers-out", str(answers_out)]
    if questionnaire_file is not None:
        hint += ["--questionnaire", str(questionnaire_file)]
    _interview(questionnaire, answers_out, profile, resume, hint, password_tests=True)


def interview_for_run(
    profile: str | None,
    out_dir: Path,
    domain: str | None = None,
    history: HistoryLocation | None = None,
) -> QuestionnaireInput:
    """The interview `rgpd-audit run` holds when no --answers is given on a terminal.

    Answers go to `reponses.yaml` in the output folder; an interrupted interview is resumed
    by running the same command again. For a practice already in the `history`, the
    interview starts from its latest recorded answers and asks only what is new or changed.
    """
    from rgpd_audit.questionnaire import load_questionnaire
    from rgpd_audit.questionnaire.draft import draft_path
    from rgpd_audit.runner import QuestionnaireInput

    with input_errors():
        questionnaire = load_questionnaire()
    answers_out = out_dir / DEFAULT_ANSWERS
    resume = draft_path(answers_out).exists()
    if answers_out.exists() and not resume:
        fail(
            f"{answers_out} existe déjà : relancez avec --answers {answers_out} pour utiliser "
            "ces réponses, ou choisissez un autre dossier avec --output"
        )
    if not resume and domain is not None and history is not None:
        recorded = _recorded_answers(domain, history)
        if recorded is not None:
            with input_errors():
                profile = _write_seed(questionnaire, recorded, profile, answers_out)
            resume = True
    # The default output folder carries the date: name it, so that resuming works tomorrow too.
    hint = [f"la même commande rgpd-audit run, avec --output {out_dir}"]
    answers = _interview(questionnaire, answers_out, profile, resume, hint)
    return QuestionnaireInput(questionnaire, answers)


def _recorded_answers(domain: str, history: HistoryLocation) -> RecordedAnswers | None:
    """Last year's answers of `domain`, or None (also when the history cannot be read now:
    starting the interview from scratch is better than no audit; recording will say why)."""
    from rgpd_audit.history.errors import HistoryUnavailable
    from rgpd_audit.history.store import HistoryStore

    try:
        return HistoryStore.open(history).latest_answers(domain)
    except HistoryUnavailable:
        return None


@questionnaire_app.command()
def show(
    profile: ProfileOpt = None,
    output_format: Annotated[
        OutputFormat,
        typer.Option("--format", show_default=False, help="text (lecture, défaut) ou json."),
    ] = OutputFormat.TEXT,
    questionnaire_file: QuestionnaireOpt = None,
) -> None:
    """Affiche toutes les questions : id, section, texte, type, choix, condition, références."""
    from rgpd_audit.questionnaire.describe import question_views, render_text

    with input_errors():
        questionnaire = _questionnaire(questionnaire_file)
        _check_profile(questionnaire, profile)
        views = question_views(questionnaire, profile)
    if output_format is OutputFormat.JSON:
        payload = {
            "questionnaire": questionnaire.label,
            "profile": profile,
            "questions": [view.model_dump(mode="json") for view in views],
        }
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        typer.echo(render_text(questionnaire, views))


@questionnaire_app.command()
def validate(
    file: Annotated[Path, typer.Argument(metavar="FICHIER", help="Fichier de questionnaire YAML.")],
) -> None:
    """Vérifie un fichier de questionnaire ; code 2 et message (ligne, question, champ) sinon."""
    from rgpd_audit.questionnaire import load_questionnaire_file

    with input_errors():
        questionnaire = load_questionnaire_file(file)
    questions = questionnaire.questions()
    scored = sum(1 for q in questions if q.scored)
    typer.echo(
        f"{file} : questionnaire valide ({questionnaire.label}) — "
        f"{len(questionnaire.sections)} section(s), {len(questions)} question(s) dont {scored} "
        f"notée(s), profils : {', '.join(questionnaire.profiles)}."
    )


@questionnaire_app.command()
def template(
    profile: ProfileOpt = None,
    questionnaire_file: QuestionnaireOpt = None,
) -> None:
    """Écrit un fichier de réponses à remplir, commenté (rediriger vers reponses.yaml)."""
    from rgpd_audit.questionnaire.template import answers_template

    with input_errors():
        questionnaire = _questionnaire(questionnaire_file)
        _check_profile(questionnaire, profile)
    typer.echo(answers_template(questionnaire, profile), nl=False)


@questionnaire_app.command()
def schema(questionnaire_file: QuestionnaireOpt = None) -> None:
    """Affiche le schéma JSON (JSON Schema) des fichiers de réponses."""
    from rgpd_audit.questionnaire.answers_schema import answers_json_schema

    with input_errors():
        questionnaire = _questionnaire(questionnaire_file)
    typer.echo(json.dumps(answers_json_schema(questionnaire), indent=2, ensure_ascii=False))


def _interview(
    questionnaire: Questionnaire,
    answers_out: Path,
    profile: str | None,
    resume: bool,
    hint: list[str],
    *,
    password_tests: bool = False,
) -> Answers:
    from rgpd_audit.questionnaire.session import InterviewInterrupted, run_interview

    try:
        with input_errors():
            return run_interview(
                questionnaire, answers_out, profile, resume=resume, password_tests=password_tests
            )
    except InterviewInterrupted as exc:
        typer.echo(
            f"\nEntretien interrompu : {exc.answered} réponse(s) enregistrée(s) dans "
            f"{exc.draft}.\nPour reprendre là où vous en étiez : {' '.join(hint)}",
            err=True,
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None


def _seed_from_history(
    questionnaire: Questionnaire,
    domain: str,
    db: str | None,
    profile: str | None,
    answers_out: Path,
) -> str | None:
    """Write the draft of `answers_out` from the practice's latest recorded answers.

    The interview then resumes from it: questions answered last year are not asked again
    (the final summary shows them all, each changeable with its answer as the default), new
    or changed ones are. Returns the profile to use.
    """
    from rgpd_audit.cli_history import history_errors
    from rgpd_audit.config import normalize_domain
    from rgpd_audit.questionnaire.draft import draft_path
    from rgpd_audit.questionnaire.session import refuse_overwrite

    wanted = normalize_domain(domain)
    refuse_overwrite(answers_out, draft_path(answers_out))
    store = open_store(resolve_history(db))
    with history_errors():
        recorded = store.latest_answers(wanted)
    if recorded is None:
        fail(f"aucun audit de {wanted} avec des réponses au questionnaire dans l'historique")
    return _write_seed(questionnaire, recorded, profile, answers_out)


def _write_seed(
    questionnaire: Questionnaire,
    recorded: RecordedAnswers,
    profile: str | None,
    answers_out: Path,
) -> str | None:
    """The draft of `answers_out` made of `recorded` answers still valid today; the profile."""
    from rgpd_audit.dates import format_date_fr
    from rgpd_audit.history.resume import reusable_answers
    from rgpd_audit.questionnaire.answers import AnswersMeta
    from rgpd_audit.questionnaire.draft import draft_path, dump_answers, save

    chosen = profile or recorded.profile
    values = reusable_answers(questionnaire, chosen, recorded.values)
    meta = AnswersMeta(profile=chosen, practice_name=recorded.practice_name)
    save(draft_path(answers_out), dump_answers(questionnaire, values, meta, complete=False))
    dropped = len(recorded.values) - len(values)
    typer.echo(
        f"Réponses reprises de l'audit du {format_date_fr(recorded.date)} : {len(values)} "
        f"réponse(s) gardée(s)"
        + (
            f", {dropped} écartée(s) (question retirée ou modifiée depuis, ou qui ne se pose plus)"
            if dropped
            else ""
        )
        + ".",
        err=True,
    )
    return chosen


def _questionnaire(path: Path | None) -> Questionnaire:
    from rgpd_audit.questionnaire import load_questionnaire, load_questionnaire_file

    return load_questionnaire_file(path) if path else load_questionnaire()


def _check_profile(questionnaire: Questionnaire, profile: str | None) -> None:
    from rgpd_audit.errors import InputError

    if profile is not None and profile not in questionnaire.profiles:
        raise InputError(
            f"--profile : profil « {profile} » inconnu "
            f"(attendu : {', '.join(questionnaire.profiles)})"
        )
