"""The interactive interview: one question at a time, every answer saved to a draft at once.

`InterviewState` is the pure part (which question comes next, progress, dropping the answers
that a changed answer hides); `Interview` talks to a `Terminal`. Interrupting the interview
(Ctrl-C, end of input, a killed terminal) loses nothing: the draft was written before the next
question was shown.
"""

from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pydantic import JsonValue

from rgpd_audit.questionnaire.answers import AnswersMeta
from rgpd_audit.questionnaire.conditions import Visibility, walk
from rgpd_audit.questionnaire.draft import dump_answers, save
from rgpd_audit.questionnaire.prompts import Back, Keep, hint, parse_reply
from rgpd_audit.questionnaire.schema import Question, Questionnaire
from rgpd_audit.questionnaire.values import AnswerValueError, format_answer

WIDTH = 78


class Terminal(Protocol):
    """Where the interview reads and writes; `ask` raises `EOFError` or `KeyboardInterrupt`."""

    def ask(self, prompt: str) -> str:
        """Show `prompt` and return the line typed."""
        ...

    def say(self, text: str) -> None:
        """Show `text` (one or more lines)."""
        ...


class ConsoleTerminal:
    """Plain `input()` and `print()`: works in any terminal, pseudo-terminals included."""

    def __init__(self) -> None:
        # Line editing (arrow keys, backspace over accents) for input(), where available.
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401

    def ask(self, prompt: str) -> str:
        """Read one line after `prompt`."""
        return input(prompt)

    def say(self, text: str) -> None:
        """Print `text` at once (a prompt may follow on the same stream)."""
        print(text, flush=True)


@dataclass(frozen=True)
class Progress:
    """Position of a question among the questions asked: « Section 3/7 · question 4/9 »."""

    section: int
    sections: int
    question: int
    questions: int

    def __str__(self) -> str:
        return f"Section {self.section}/{self.sections} · question {self.question}/{self.questions}"


class InterviewState:
    """Answers given so far and the questions they make visible, for one profile."""

    def __init__(
        self,
        questionnaire: Questionnaire,
        profile: str | None,
        values: Mapping[str, JsonValue] | None = None,
    ) -> None:
        self.questionnaire = questionnaire
        self.profile = profile
        self.values: dict[str, JsonValue] = dict(values or {})

    def visible(self) -> list[Visibility]:
        """The questions asked with the current answers, in order."""
        return [v for v in walk(self.questionnaire, self.values, self.profile) if v.visible]

    def first_unanswered(self) -> Question | None:
        """The first question asked that has no answer yet (not even « je ne sais pas »)."""
        return next((v.question for v in self.visible() if v.question.id not in self.values), None)

    def next_unanswered(self, question_id: str) -> Question | None:
        """The first unanswered question after `question_id`, else the first one before it.

        Questions already answered are not asked again: after going back to change an answer,
        the interview returns to where it was.
        """
        visible = [v.question for v in self.visible()]
        index = next((i for i, q in enumerate(visible) if q.id == question_id), len(visible))
        later = (q for q in visible[index + 1 :] if q.id not in self.values)
        return next(later, None) or self.first_unanswered()

    def before(self, question_id: str) -> Question | None:
        """The question asked just before `question_id` (None for the first one)."""
        previous = None
        for visibility in self.visible():
            if visibility.question.id == question_id:
                return previous
            previous = visibility.question
        return previous

    def set(self, question_id: str, value: JsonValue) -> list[str]:
        """Record an answer; returns the ids of answers dropped because now hidden."""
        self.values[question_id] = value
        hidden = [
            v.question.id
            for v in walk(self.questionnaire, self.values, self.profile)
            if not v.visible and v.question.id in self.values
        ]
        for dropped in hidden:
            del self.values[dropped]
        return hidden

    def progress(self, question_id: str) -> Progress:
        """Section and question numbers of `question_id` among the visible questions."""
        sections: list[str] = []
        in_section: dict[str, list[str]] = {}
        for visibility in self.visible():
            section_id = visibility.section.id
            if section_id not in in_section:
                sections.append(section_id)
                in_section[section_id] = []
            in_section[section_id].append(visibility.question.id)
        for number, section_id in enumerate(sections, start=1):
            ids = in_section[section_id]
            if question_id in ids:
                return Progress(number, len(sections), ids.index(question_id) + 1, len(ids))
        raise ValueError(f"question {question_id} non posée")

    def asked(self) -> list[Visibility]:
        """The visible questions that have an answer, for the summary."""
        return [v for v in self.visible() if v.question.id in self.values]


class Interview:
    """Runs the interview on a terminal, saving the draft to `draft` after every answer."""

    def __init__(
        self,
        state: InterviewState,
        meta: AnswersMeta,
        draft: Path,
        terminal: Terminal,
    ) -> None:
        self.state = state
        self.meta = meta
        self.draft = draft
        self.terminal = terminal

    def save_draft(self) -> None:
        """Write the answers given so far to the draft (atomic, 0600)."""
        text = dump_answers(self.state.questionnaire, self.state.values, self.meta, complete=False)
        save(self.draft, text)

    def run(self) -> dict[str, JsonValue]:
        """Ask until the person confirms the summary; returns the answers."""
        self.save_draft()
        cursor = self.state.first_unanswered()
        shown_section: str | None = None
        while True:
            if cursor is None:
                cursor = self.state.first_unanswered()
            if cursor is None:
                cursor = self._summary()
                if cursor is None:
                    return self.state.values
                shown_section = None
            visibility = self._visibility(cursor)
            if visibility.section.id != shown_section:
                shown_section = visibility.section.id
                self._section_banner(visibility)
            reply = self._ask(cursor)
            if isinstance(reply, Back):
                previous = self.state.before(cursor.id)
                if previous is None:
                    self.terminal.say("C'est la première question.")
                else:
                    cursor = previous
                continue
            if not isinstance(reply, Keep):
                dropped = self.state.set(cursor.id, reply)
                self.save_draft()
                if dropped:
                    self.terminal.say(
                        f"{len(dropped)} réponse(s) qui ne s'appliquent plus ont été retirées : "
                        + ", ".join(dropped)
                    )
            cursor = self.state.next_unanswered(cursor.id)

    def _visibility(self, question: Question) -> Visibility:
        return next(v for v in self.state.visible() if v.question.id == question.id)

    def _section_banner(self, visibility: Visibility) -> None:
        section = visibility.section
        lines = ["", "=" * WIDTH, section.title.upper(), "=" * WIDTH]
        if section.intro:
            lines += textwrap.wrap(section.intro.strip(), WIDTH)
        self.terminal.say("\n".join(lines))

    def _ask(self, question: Question) -> JsonValue | Back | Keep:
        current = self.state.values.get(question.id)
        answered = question.id in self.state.values
        lines = [
            "",
            f"{self.state.progress(question.id)}  [{question.id}]",
            *textwrap.wrap(question.text, WIDTH),
            *textwrap.wrap(
                question.help.strip(), WIDTH, initial_indent="  ", subsequent_indent="  "
            ),
        ]
        lines += [f"   {n}. {c.label}" for n, c in enumerate(question.choices or [], start=1)]
        lines.append(hint(question) + " « < » : question précédente, « ? » : je ne sais pas.")
        if answered:
            lines.append(
                f"Réponse actuelle : {format_answer(question, current)} (Entrée pour la garder)"
            )
        self.terminal.say("\n".join(lines))
        while True:
            typed = self.terminal.ask("> ")
            try:
                return parse_reply(question, typed, answered=answered)
            except AnswerValueError as exc:
                self.terminal.say(f"Réponse non comprise : {exc.message}")

    def _summary(self) -> Question | None:
        asked = self.state.asked()
        lines = ["", "=" * WIDTH, "RÉCAPITULATIF DE VOS RÉPONSES", "=" * WIDTH]
        section = None
        for number, visibility in enumerate(asked, start=1):
            if visibility.section.id != section:
                section = visibility.section.id
                lines += ["", f"-- {visibility.section.title}"]
            question = visibility.question
            answer = format_answer(question, self.state.values[question.id])
            lines.append(f"{number:3}. {question.text}")
            lines.append(f"     → {answer}")
        self.terminal.say("\n".join(lines))
        while True:
            typed = self.terminal.ask(
                "Numéro d'une réponse à modifier, ou Entrée pour enregistrer et terminer : "
            ).strip()
            if not typed:
                return None
            if typed.isdigit() and 1 <= int(typed) <= len(asked):
                return asked[int(typed) - 1].question
            self.terminal.say(f"Tapez un numéro entre 1 et {len(asked)}, ou Entrée.")
