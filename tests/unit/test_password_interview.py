"""The interview's optional password step, driven by a scripted terminal."""

from pathlib import Path

from rgpd_audit.password.interview_step import password_step
from rgpd_audit.password.text import answers_block
from rgpd_audit.questionnaire import load_answers, load_questionnaire


class Script:
    """Replies typed in order; everything shown is kept."""

    def __init__(self, replies: list[str]) -> None:
        self.replies = list(replies)
        self.shown: list[str] = []

    def ask(self, prompt: str) -> str:
        self.shown.append(prompt)
        if not self.replies:
            raise EOFError
        return self.replies.pop(0)

    def say(self, text: str) -> None:
        self.shown.append(text)


class Secrets:
    """Stands for getpass: hands out the passwords and records the prompts."""

    def __init__(self, secrets: list[str]) -> None:
        self.secrets = list(secrets)
        self.prompts: list[str] = []

    def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        return self.secrets.pop(0)


ANSWERS = {"q.cabinet.ville": "Plouguerneau", "q.cabinet.praticiens": "Anne Kervadec"}


def test_declining_tests_nothing() -> None:
    secrets = Secrets([])
    assert password_step(Script(["", ""]), ANSWERS, read_secret=secrets) == []
    assert secrets.prompts == []


def test_labels_cases_and_last_test_wins() -> None:
    script = Script(["o", "1", "o", "2", "", "Ordonnancier", "n", "2", "n", ""])
    secrets = Secrets(["Wq8!zP#4", "azerty123", "Plouguerneau29", "xK9#mQ2vL!pZ"])
    results = password_step(script, ANSWERS, "Cabinet Kervadec", read_secret=secrets)
    by_label = {r.label: r for r in results}
    assert list(by_label) == ["Logiciel métier", "Messagerie", "Ordonnancier"]
    assert by_label["Logiciel métier"].case == "essais_limites"
    # Messagerie was tested twice: the second result replaces the first.
    assert by_label["Messagerie"].score == 4
    assert by_label["Ordonnancier"].practice_word
    shown = "\n".join(script.shown)
    for secret in ["Wq8!zP#4", "azerty123", "Plouguerneau29", "xK9#mQ2vL!pZ"]:
        assert secret not in shown
    assert "Ordonnancier : non conforme" in shown


def test_empty_password_is_skipped() -> None:
    script = Script(["o", "3", "n", ""])
    results = password_step(script, {}, read_secret=Secrets([""]))
    assert results == []
    assert "Mot de passe vide" in "\n".join(script.shown)


def test_end_of_input_ends_the_step_without_results() -> None:
    script = Script(["o"])
    assert password_step(script, {}, read_secret=Secrets([])) == []
    assert "0 résultat(s) conservé(s)" in "\n".join(script.shown)


def test_results_round_trip_through_an_answers_file(tmp_path: Path) -> None:
    script = Script(["o", "2", "n", ""])
    results = password_step(script, ANSWERS, read_secret=Secrets(["azerty123"]))
    example = Path(__file__).parents[2] / "questionnaires" / "exemple-reponses.yaml"
    path = tmp_path / "reponses.yaml"
    path.write_text(example.read_text(encoding="utf-8") + answers_block(results), "utf-8")
    loaded = load_answers(path, load_questionnaire())
    assert loaded.password_tests == results
    assert "azerty123" not in path.read_text(encoding="utf-8")


def test_stopping_during_the_step_keeps_the_passwords_already_tested() -> None:
    # After one test, the terminal closes (Ctrl-D) at the next label prompt.
    script = Script(["o", "1", "o"])
    results = password_step(script, ANSWERS, read_secret=Secrets(["Wq8!zP#4"]))
    assert [r.label for r in results] == ["Logiciel métier"]
    assert "1 résultat(s) conservé(s)" in "\n".join(script.shown)
