"""The optional last step of the interview: test the important passwords, hidden.

Each password is typed without being shown (getpass), scored at once and forgotten; only the
`Assessment` is kept, to be written under `password_tests` in the answers file.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Mapping
from typing import Protocol

from pydantic import JsonValue

from rgpd_audit.password.cnil import judge
from rgpd_audit.password.practice import practice_words
from rgpd_audit.password.results import Assessment, CaseId
from rgpd_audit.password.strength import assess
from rgpd_audit.password.text import describe

#: The step is offered with questionnaires that ask how the practice software is accessed.
ANCHOR_QUESTION = "q.acces.mode_connexion"
SUGGESTED_LABELS = ["Logiciel métier", "Messagerie", "Session du poste de travail"]
SECRET_PROMPT = "Mot de passe (il ne s'affiche pas pendant la saisie) : "


class Terminal(Protocol):
    """The interview's terminal (see rgpd_audit.questionnaire.interview.Terminal)."""

    def ask(self, prompt: str) -> str:
        """Show `prompt` and return the line typed."""
        ...

    def say(self, text: str) -> None:
        """Show `text`."""
        ...


def password_step(
    terminal: Terminal,
    answers: Mapping[str, JsonValue],
    practice_name: str | None = None,
    read_secret: Callable[[str], str] | None = None,
) -> list[Assessment]:
    """Offer to test passwords; returns the results (one per label, last test wins)."""
    read_secret = read_secret or getpass.getpass
    terminal.say(
        "\nÉtape facultative : tester la robustesse des mots de passe importants (logiciel "
        "métier, messagerie, session du poste). Chaque mot de passe est saisi sans "
        "s'afficher, évalué aussitôt puis oublié : seuls le libellé, la note et le verdict "
        "sont enregistrés, jamais le mot de passe."
    )
    if not _yes(terminal.ask("Tester des mots de passe maintenant ? (o/N) ")):
        return []
    words = practice_words(answers, practice_name)
    results: dict[str, Assessment] = {}
    try:
        while True:
            label = _label(terminal)
            if label is None:
                break
            case = _case(terminal)
            secret = read_secret(SECRET_PROMPT)
            if not secret:
                terminal.say("Mot de passe vide : rien n'est évalué.")
                continue
            result = assess(secret, label=label, case=case, user_inputs=words)
            del secret
            results[label] = result
            terminal.say(describe(result, judge(result)))
    except (KeyboardInterrupt, EOFError):
        # The questionnaire is complete by now: stopping here ends the optional step and
        # keeps the passwords already tested, instead of losing them with the interview.
        terminal.say(f"\nÉtape interrompue : {len(results)} résultat(s) conservé(s).")
    return list(results.values())


def _label(terminal: Terminal) -> str | None:
    choices = "  ".join(f"{n}. {label}" for n, label in enumerate(SUGGESTED_LABELS, start=1))
    while True:
        typed = terminal.ask(
            f"\nCompte à tester — {choices}, ou un autre nom ; Entrée pour terminer : "
        ).strip()
        if not typed:
            return None
        if typed.isdigit() and 1 <= int(typed) <= len(SUGGESTED_LABELS):
            return SUGGESTED_LABELS[int(typed) - 1]
        if len(typed) <= 80:
            return typed
        terminal.say("Nom trop long (80 caractères au plus).")


def _case(terminal: Terminal) -> CaseId:
    typed = terminal.ask(
        "Ce compte est-il bloqué, ou les essais ralentis, après quelques mots de passe "
        "erronés ? (o/N) "
    )
    return "essais_limites" if _yes(typed) else "seul"


def _yes(typed: str) -> bool:
    return typed.strip().lower() in {"o", "oui", "y", "yes"}
