"""One interview from start (or resumption) to the final answers file.

The draft lives beside the answers file (`reponses.yaml` → `reponses.brouillon.yaml`). It is
refused to start over a draft or an answers file that already exists: answers are never
overwritten without the person asking for it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import JsonValue

from rgpd_audit.errors import InputError
from rgpd_audit.password.interview_step import ANCHOR_QUESTION, password_step
from rgpd_audit.password.results import Assessment
from rgpd_audit.password.text import answers_block
from rgpd_audit.questionnaire.answers import Answers, AnswersMeta, load_answers
from rgpd_audit.questionnaire.draft import discard, draft_path, dump_answers, save, today_meta
from rgpd_audit.questionnaire.interview import (
    ConsoleTerminal,
    Interview,
    InterviewState,
    Terminal,
)
from rgpd_audit.questionnaire.schema import Questionnaire


class InterviewInterrupted(Exception):
    """Ctrl-C or end of input during the interview; the draft holds every answer given."""

    def __init__(self, draft: Path, answered: int) -> None:
        super().__init__(f"entretien interrompu, {answered} réponse(s) dans {draft}")
        self.draft = draft
        self.answered = answered


def run_interview(
    questionnaire: Questionnaire,
    answers_path: Path,
    profile: str | None,
    *,
    resume: bool,
    terminal: Terminal | None = None,
    password_tests: bool = False,
    read_secret: Callable[[str], str] | None = None,
) -> Answers:
    """Interview, write `answers_path` (0600) and return the answers as `load_answers` reads them.

    Raises `InputError` when there is nothing to resume or something would be overwritten,
    and `InterviewInterrupted` when the person stops before the end. With `password_tests`
    and a questionnaire that asks about access, a last optional step tests passwords typed
    hidden with `read_secret` (getpass by default); only their derived results are written.
    """
    terminal = terminal or ConsoleTerminal()
    draft = draft_path(answers_path)
    if profile is not None and profile not in questionnaire.profiles:
        raise InputError(
            f"profil « {profile} » inconnu (attendu : {', '.join(questionnaire.profiles)})"
        )
    if resume:
        meta, values = _resume(questionnaire, draft, profile)
        profile = meta.profile
    else:
        refuse_overwrite(answers_path, draft)
        meta, values = AnswersMeta(profile=profile), {}
    if profile is None:
        profile = _choose_profile(questionnaire, terminal)
        meta = meta.model_copy(update={"profile": profile})
    state = InterviewState(questionnaire, profile, values)
    terminal.say(
        f"{questionnaire.title} — profil : {questionnaire.profiles[profile]}.\n"
        f"Chaque réponse est enregistrée aussitôt dans {draft}.\n"
        "Vous pouvez interrompre à tout moment (Ctrl-C) et reprendre plus tard là où vous "
        "en étiez."
    )
    if values:
        terminal.say(f"Reprise de l'entretien : {len(values)} réponse(s) déjà données.")
    interview = Interview(state, meta, draft, terminal)
    try:
        final = interview.run()
        tests: list[Assessment] = []
        if password_tests and questionnaire.question(ANCHOR_QUESTION) is not None:
            tests = password_step(terminal, final, meta.practice_name, read_secret)
    except (KeyboardInterrupt, EOFError):
        raise InterviewInterrupted(draft, len(state.values)) from None
    text = dump_answers(questionnaire, final, today_meta(meta), complete=True)
    save(answers_path, text + answers_block(tests))
    answers = load_answers(answers_path, questionnaire, profile)
    discard(draft)
    terminal.say(f"Réponses enregistrées dans {answers_path}.")
    return answers


def _resume(
    questionnaire: Questionnaire, draft: Path, profile: str | None
) -> tuple[AnswersMeta, dict[str, JsonValue]]:
    if not draft.is_file():
        raise InputError(f"aucun entretien à reprendre : {draft} introuvable")
    # Loaded with its own profile first, so that a different --profile gets a clear message.
    answers = load_answers(draft, questionnaire)
    if profile and answers.meta.profile and profile != answers.meta.profile:
        raise InputError(
            f"le brouillon {draft} a été commencé avec le profil « {answers.meta.profile} » : "
            "reprenez-le sans --profile, ou avec ce profil"
        )
    meta = answers.meta.model_copy(update={"profile": profile or answers.meta.profile})
    return meta, dict(answers.values)


def refuse_overwrite(answers_path: Path, draft: Path) -> None:
    """`InputError` when a draft or the answers file is already there (never overwritten)."""
    if draft.exists():
        raise InputError(
            f"un entretien interrompu existe ({draft}) : reprenez-le avec --resume, "
            "ou supprimez ce fichier pour recommencer"
        )
    if answers_path.exists():
        raise InputError(
            f"{answers_path} existe déjà : choisissez un autre fichier avec --answers-out, "
            "ou supprimez-le"
        )


def _choose_profile(questionnaire: Questionnaire, terminal: Terminal) -> str:
    profiles = list(questionnaire.profiles.items())
    lines = ["Quel est votre profil ?"]
    lines += [f"   {n}. {label}" for n, (_, label) in enumerate(profiles, start=1)]
    terminal.say("\n".join(lines))
    while True:
        typed = terminal.ask("> ").strip()
        if typed.isdigit() and 1 <= int(typed) <= len(profiles):
            return profiles[int(typed) - 1][0]
        if typed in questionnaire.profiles:
            return typed
        terminal.say(f"Tapez un numéro entre 1 et {len(profiles)}.")
