"""The interview engine in-process: typed replies, branching, drafts, summary, resumption.

A scripted terminal stands in for the person (the pseudo-terminal tests drive the real
console script); everything else — draft files, answers loading, evaluation — is the real code.
"""

from pathlib import Path

import pytest

from rgpd_audit.errors import InputError
from rgpd_audit.models import Status
from rgpd_audit.questionnaire import DONT_KNOW, evaluate, load_answers, load_questionnaire_file
from rgpd_audit.questionnaire.answers import AnswersMeta
from rgpd_audit.questionnaire.draft import draft_path, dump_answers
from rgpd_audit.questionnaire.interview import InterviewState
from rgpd_audit.questionnaire.prompts import Back, Keep, parse_reply
from rgpd_audit.questionnaire.session import InterviewInterrupted, run_interview
from rgpd_audit.questionnaire.values import AnswerValueError

DATA = Path(__file__).parent / "data" / "entretien.yaml"


@pytest.fixture(scope="module")
def entretien():
    return load_questionnaire_file(DATA)


class Script:
    """Replies typed in order; records what was shown and the draft at every prompt."""

    def __init__(self, replies: list[str], draft: Path | None = None) -> None:
        self.replies = list(replies)
        self.shown: list[str] = []
        self.draft = draft
        self.drafts: list[str | None] = []

    def ask(self, prompt: str) -> str:
        if self.draft is not None:
            self.drafts.append(self.draft.read_text() if self.draft.exists() else None)
        if not self.replies:
            raise EOFError
        reply = self.replies.pop(0)
        if reply == "^C":
            raise KeyboardInterrupt
        return reply

    def say(self, text: str) -> None:
        self.shown.append(text)

    @property
    def text(self) -> str:
        return "\n".join(self.shown)


@pytest.mark.parametrize(
    ("question_id", "typed", "expected"),
    [
        ("q.canaux.whatsapp", "o", "yes"),
        ("q.canaux.whatsapp", " OUI ", "yes"),
        ("q.canaux.whatsapp", "n", "no"),
        ("q.canaux.whatsapp", "Non", "no"),
        ("q.canaux.whatsapp", "?", DONT_KNOW),
        ("q.canaux.whatsapp", "Je ne sais pas", DONT_KNOW),
        ("q.canaux.whatsapp", "jnsp", DONT_KNOW),
        ("q.canaux.whatsapp_contenu", "1,2", ["rdv", "resultats"]),
        ("q.canaux.whatsapp_contenu", "2 1 2", ["resultats", "rdv"]),
        ("q.canaux.whatsapp_contenu", "resultats", ["resultats"]),
        ("q.canaux.whatsapp_contenu", "0", []),
        ("q.gouvernance.registre", "2", "ancien"),
        ("q.gouvernance.registre", "non", "non"),
        ("q.gouvernance.postes", "12", 12),
        ("q.gouvernance.postes", "2,5", 2.5),
        ("q.gouvernance.postes", "1 200", 1200),
        ("q.gouvernance.revue", "5/1/2026", "2026-01-05"),
        ("q.gouvernance.revue", "2026-01-05", "2026-01-05"),
        ("q.gouvernance.dpo", "  Dr Martin  ", "Dr Martin"),
    ],
)
def test_replies_are_normalised(entretien, question_id: str, typed: str, expected) -> None:
    question = entretien.question(question_id)
    assert parse_reply(question, typed, answered=False) == expected


@pytest.mark.parametrize(
    ("question_id", "typed", "message"),
    [
        ("q.canaux.whatsapp", "peut-être", "o (oui) ou n (non)"),
        ("q.canaux.whatsapp", "", "réponse attendue"),
        ("q.canaux.whatsapp_contenu", "1,3", "numéro entre 1 et 2"),
        ("q.gouvernance.registre", "0", "numéro entre 1 et 3"),
        ("q.gouvernance.postes", "beaucoup", "n'est pas un nombre"),
        ("q.gouvernance.postes", "nan", "n'est pas un nombre"),
        ("q.gouvernance.revue", "31/02/2026", "n'est pas une date valide"),
        ("q.gouvernance.revue", "hier", "n'est pas une date valide"),
    ],
)
def test_bad_replies_say_what_is_expected(entretien, question_id: str, typed: str, message: str):
    with pytest.raises(AnswerValueError) as info:
        parse_reply(entretien.question(question_id), typed, answered=False)
    assert message in info.value.message


def test_commands_back_and_keep(entretien) -> None:
    question = entretien.question("q.gouvernance.dpo")
    assert parse_reply(question, "<", answered=False) == Back()
    assert parse_reply(question, "retour", answered=True) == Back()
    assert parse_reply(question, "", answered=True) == Keep()


def test_hidden_questions_are_neither_asked_nor_required(entretien) -> None:
    state = InterviewState(entretien, "medecin")
    asked = []
    while (question := state.first_unanswered()) is not None:
        asked.append(question.id)
        state.set(question.id, "no" if question.id == "q.canaux.whatsapp" else DONT_KNOW)
    assert asked == [
        "q.canaux.whatsapp",
        "q.canaux.mssante",
        "q.gouvernance.registre",
        "q.gouvernance.postes",
        "q.gouvernance.revue",
        "q.gouvernance.dpo",
    ]
    # Complete without the hidden questions: unanswered scored questions are « non évalué ».
    answers = load_answers_from(entretien, state.values, "medecin")
    findings = evaluate(entretien, answers)
    assert {f.check_id for f in findings} == {"q.canaux.mssante", "q.gouvernance.registre"}
    assert {f.status for f in findings} == {Status.INDETERMINATE}


def test_changing_an_answer_drops_the_whole_hidden_chain(entretien) -> None:
    state = InterviewState(entretien, "telesecretariat")
    state.set("q.canaux.whatsapp", "yes")
    state.set("q.canaux.whatsapp_contenu", ["rdv"])
    state.set("q.canaux.whatsapp_groupe", "yes")
    assert state.progress("q.canaux.whatsapp_groupe").question == 3
    dropped = state.set("q.canaux.whatsapp", "no")
    assert dropped == ["q.canaux.whatsapp_contenu", "q.canaux.whatsapp_groupe"]
    assert state.values == {"q.canaux.whatsapp": "no"}
    assert state.before("q.canaux.mssante").id == "q.canaux.whatsapp"
    assert state.next_unanswered("q.canaux.whatsapp").id == "q.canaux.mssante"
    state.set("q.canaux.mssante", "yes")
    assert state.next_unanswered("q.canaux.whatsapp").id == "q.gouvernance.registre"
    state.set("q.gouvernance.registre", "non")
    state.set("q.gouvernance.postes", 1)
    assert state.next_unanswered("q.gouvernance.registre").id == "q.gouvernance.revue"
    state.set("q.gouvernance.revue", DONT_KNOW)
    state.set("q.gouvernance.dpo", "x")
    assert state.next_unanswered("q.canaux.whatsapp").id == "q.secretariat.identite"
    state.set("q.secretariat.identite", "no")
    assert state.next_unanswered("q.canaux.whatsapp") is None
    assert str(state.progress("q.secretariat.identite")) == "Section 3/3 · question 1/1"


def test_every_answer_is_in_the_draft_before_the_next_prompt(tmp_path: Path, entretien) -> None:
    out = tmp_path / "r.yaml"
    replies = ["o", "1", "o", "n", "3", "2", "01/02/2025", "Dr Martin"]
    script = Script(replies, draft=draft_path(out))
    with pytest.raises(InterviewInterrupted) as info:
        run_interview(entretien, out, "medecin", resume=False, terminal=script)
    assert info.value.answered == len(replies)
    # At the n-th prompt the draft already holds the n-1 answers typed before.
    counts = [len(load_answers_text(tmp_path, entretien, d).values) for d in script.drafts]
    assert counts == list(range(len(replies) + 1))
    assert "RÉCAPITULATIF DE VOS RÉPONSES" in script.text


def test_summary_change_that_reveals_a_question_asks_it(tmp_path: Path, entretien) -> None:
    out = tmp_path / "r.yaml"
    first = ["n", "o", "1", "4", "?", "?"]
    # Summary: change n°1 (WhatsApp) to yes; the two revealed questions are asked, then done.
    script = Script([*first, "1", "o", "2", ""])
    answers = run_interview(entretien, out, "medecin", resume=False, terminal=script)
    assert answers.values == {
        "q.canaux.whatsapp": "yes",
        "q.canaux.whatsapp_contenu": ["resultats"],
        "q.canaux.mssante": "yes",
        "q.gouvernance.registre": "a_jour",
        "q.gouvernance.postes": 4,
        "q.gouvernance.revue": DONT_KNOW,
        "q.gouvernance.dpo": DONT_KNOW,
    }
    assert script.text.count("RÉCAPITULATIF") == 2
    assert "q.canaux.whatsapp_groupe" not in script.text
    assert load_answers(out, entretien).values == answers.values
    assert not draft_path(out).exists()


def test_going_back_from_the_first_question(tmp_path: Path, entretien) -> None:
    script = Script(["<"])
    with pytest.raises(InterviewInterrupted):
        run_interview(entretien, tmp_path / "r.yaml", "medecin", resume=False, terminal=script)
    assert "C'est la première question." in script.text


def test_profile_is_asked_when_not_given(tmp_path: Path, entretien) -> None:
    script = Script(["9", "telesecretariat"])
    with pytest.raises(InterviewInterrupted):
        run_interview(entretien, tmp_path / "r.yaml", None, resume=False, terminal=script)
    assert "Tapez un numéro entre 1 et 2." in script.text
    saved = load_answers(tmp_path / "r.brouillon.yaml", entretien)
    assert saved.meta.profile == "telesecretariat" and saved.values == {}


def test_resume_keeps_the_profile_and_refuses_another(tmp_path: Path, entretien) -> None:
    out = tmp_path / "r.yaml"
    with pytest.raises(InterviewInterrupted):
        run_interview(entretien, out, "telesecretariat", resume=False, terminal=Script(["n"]))
    with pytest.raises(InputError, match="commencé avec le profil « telesecretariat »"):
        run_interview(entretien, out, "medecin", resume=True, terminal=Script([]))
    script = Script(["^C"])
    with pytest.raises(InterviewInterrupted):
        run_interview(entretien, out, None, resume=True, terminal=script)
    assert "profil : Télésecrétariat" in script.text


def test_an_existing_answers_file_is_never_overwritten(tmp_path: Path, entretien) -> None:
    out = tmp_path / "r.yaml"
    out.write_text("q.canaux.whatsapp: oui\n")
    with pytest.raises(InputError, match="existe déjà"):
        run_interview(entretien, out, "medecin", resume=False, terminal=Script([]))
    assert out.read_text() == "q.canaux.whatsapp: oui\n"


def test_unknown_profile_is_refused(tmp_path: Path, entretien) -> None:
    with pytest.raises(InputError, match="profil « dentiste » inconnu"):
        run_interview(entretien, tmp_path / "r.yaml", "dentiste", resume=False, terminal=Script([]))


def test_written_answers_round_trip_even_when_text_looks_like_another_type(
    tmp_path: Path, entretien
) -> None:
    values = {
        "q.canaux.whatsapp": "yes",
        "q.canaux.whatsapp_contenu": [],
        "q.canaux.mssante": DONT_KNOW,
        "q.gouvernance.registre": "non",
        "q.gouvernance.postes": 2.5,
        "q.gouvernance.revue": "2026-01-05",
        "q.gouvernance.dpo": "oui",
    }
    texts = ("oui", "12", "2020-01-01", "# pas un commentaire", "a: b", "null", "l'accès")
    for text in (*texts, "deux\nlignes", "long " * 60, "[x, y]", "- tiret"):
        values["q.gouvernance.dpo"] = text
        assert load_answers_from(entretien, values, "medecin").values == values


def load_answers_from(questionnaire, values: dict, profile: str):
    """Write `values` as the interview does, and read them back as `--answers` does."""
    import tempfile

    text = dump_answers(questionnaire, values, AnswersMeta(profile=profile), complete=True)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.yaml"
        path.write_text(text, encoding="utf-8")
        return load_answers(path, questionnaire)


def load_answers_text(folder: Path, questionnaire, text: str | None):
    if text is None:
        return load_answers_from(questionnaire, {}, "medecin")
    path = folder / "snapshot.yaml"
    path.write_text(text, encoding="utf-8")
    return load_answers(path, questionnaire)


def test_back_then_enter_keeps_the_answer_and_returns(tmp_path: Path, entretien) -> None:
    script = Script(["o", "1", "<", "", "n", "^C"])
    with pytest.raises(InterviewInterrupted) as info:
        run_interview(entretien, tmp_path / "r.yaml", "medecin", resume=False, terminal=script)
    assert info.value.answered == 3
    assert "Réponse actuelle : Rendez-vous (Entrée pour la garder)" in script.text
    saved = load_answers(tmp_path / "r.brouillon.yaml", entretien)
    assert saved.values == {
        "q.canaux.whatsapp": "yes",
        "q.canaux.whatsapp_contenu": ["rdv"],
        "q.canaux.whatsapp_groupe": "no",
    }
    # The last prompt was the question after the one answered when going back began.
    assert script.shown[-1].splitlines()[1].endswith("[q.canaux.mssante]")
