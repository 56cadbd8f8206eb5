"""Answers files: normalisation, and one error per class naming file, line and question."""

import os
from pathlib import Path

import pytest

from rgpd_audit.errors import ContentError, InputError
from rgpd_audit.questionnaire import DONT_KNOW, load_answers


def _error(write, mini, text: str, profile: str | None = None) -> str:
    path = write("answers.yaml", text)
    with pytest.raises(ContentError) as info:
        load_answers(path, mini, profile)
    message = str(info.value)
    assert message.startswith(str(path)), message
    return message


def test_valid_file_with_meta(write, mini) -> None:
    text = (
        "meta:\n"
        "  practice_name: Cabinet Test\n"
        "  profile: medecin\n"
        "  date: 2026-11-20\n"
        "q.s.messagerie: oui\n"
        "q.s.canal: mss\n"
        "q.s.contenu: [logistique]\n"
        "q.s.patients: 1200\n"
        "q.s.depuis: 2020-01-31\n"
    )
    answers = load_answers(write("a.yaml", text), mini)
    assert answers.meta.practice_name == "Cabinet Test"
    assert answers.meta.profile == "medecin"
    assert answers.meta.date.isoformat() == "2026-11-20"
    # Stored in questionnaire order, whatever the order in the file.
    assert list(answers.values) == [
        "q.s.canal",
        "q.s.messagerie",
        "q.s.contenu",
        "q.s.patients",
        "q.s.depuis",
    ]
    assert answers.values["q.s.contenu"] == ["logistique"]
    assert answers.values["q.s.depuis"] == "2020-01-31"


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("oui", "yes"),
        ("Oui", "yes"),
        ("non", "no"),
        ("NON", "no"),
        ("yes", "yes"),
        ("no", "no"),
        ("true", "yes"),
        ("false", "no"),
        ("'yes'", "yes"),
        ("'false'", "no"),
    ],
)
def test_yes_no_normalisation(write, mini, written: str, stored: str) -> None:
    answers = load_answers(write("a.yaml", f"q.s.messagerie: {written}\n"), mini)
    assert answers.values == {"q.s.messagerie": stored}


@pytest.mark.parametrize(
    "written", ["je_ne_sais_pas", "je ne sais pas", "Je ne sais pas", "'JE_NE_SAIS_PAS'"]
)
def test_dont_know_variants(write, mini, written: str) -> None:
    answers = load_answers(write("a.yaml", f"q.s.canal: {written}\n"), mini)
    assert answers.values == {"q.s.canal": DONT_KNOW}
    assert not answers.is_answered("q.s.canal")


def test_blank_answer_counts_as_unanswered(write, mini) -> None:
    answers = load_answers(write("a.yaml", "q.s.canal:\nq.s.messagerie: non\n"), mini)
    assert answers.values == {"q.s.messagerie": "no"}


def test_missing_file(tmp_path: Path, mini) -> None:
    path = tmp_path / "absent.yaml"
    with pytest.raises(ContentError, match=f"^{path} : fichier de réponses introuvable"):
        load_answers(path, mini)


def test_unreadable_file(write, mini) -> None:
    path = write("a.yaml", "")
    path.write_bytes(b"q.s.canal: \xff\xfe\n")
    with pytest.raises(ContentError, match="illisible"):
        load_answers(path, mini)


def test_not_yaml_names_the_line(write, mini) -> None:
    message = _error(write, mini, "q.s.canal: mss\nq.s.messagerie: [oui\nq.s.depuis: 2020-01-01\n")
    assert "ligne 3" in message and "YAML invalide" in message


def test_not_a_mapping(write, mini) -> None:
    message = _error(write, mini, "- q.s.canal: mss\n")
    assert "ligne 1" in message and "identifiant_de_question: réponse" in message
    assert "vide" in _error(write, mini, "# rien\n")


def test_unknown_question_id_with_suggestion(write, mini) -> None:
    message = _error(write, mini, "q.s.canal: mss\nq.s.canall: mss\n")
    assert "ligne 2, question q.s.canall : identifiant de question inconnu" in message
    assert "vouliez-vous dire q.s.canal" in message


def test_yes_no_expects_oui_or_non(write, mini) -> None:
    message = _error(write, mini, "q.s.canal: mss\nq.s.messagerie: peut-être\n")
    assert (
        "ligne 2, question q.s.messagerie : réponse « peut-être » invalide : oui ou non" in message
    )


def test_number_expected(write, mini) -> None:
    message = _error(write, mini, "q.s.patients: beaucoup\n")
    assert "ligne 1, question q.s.patients" in message and "nombre attendu" in message


def test_choice_not_in_choices(write, mini) -> None:
    message = _error(write, mini, "\nq.s.canal: fax\n")
    assert "ligne 2, question q.s.canal : choix « fax » inconnu (attendu : mail, mss)" in message


def test_multi_choice_expects_a_list(write, mini) -> None:
    message = _error(write, mini, "q.s.messagerie: oui\nq.s.contenu: sante\n")
    assert "ligne 2, question q.s.contenu : liste attendue" in message


def test_multi_choice_bad_item_names_its_line(write, mini) -> None:
    text = "q.s.messagerie: oui\nq.s.contenu:\n  - logistique\n  - photos\n"
    message = _error(write, mini, text)
    assert "ligne 4, question q.s.contenu, élément 2 : choix « photos » inconnu" in message


def test_date_expected(write, mini) -> None:
    assert "date attendue" in _error(write, mini, "q.s.depuis: hier\n")
    assert "ligne 1" in _error(write, mini, "q.s.depuis: 2020-13-45\n")


def test_answer_to_a_question_hidden_by_when(write, mini) -> None:
    text = "q.s.messagerie: non\nq.s.canal: mss\nq.s.contenu: [sante]\n"
    message = _error(write, mini, text)
    assert "ligne 3, question q.s.contenu : question non posée" in message
    assert "elle dépend de la réponse à q.s.messagerie" in message
    assert "q.s.messagerie" in message and "« Non »" in message


def test_answer_hidden_when_the_condition_is_unknown(write, mini) -> None:
    message = _error(write, mini, "q.s.messagerie: je ne sais pas\nq.s.contenu: [sante]\n")
    assert "ligne 2, question q.s.contenu" in message


def test_answer_to_a_question_of_another_profile(write, mini) -> None:
    text = "meta:\n  profile: medecin\nq.t.identite: oui\n"
    message = _error(write, mini, text)
    assert "ligne 3, question q.t.identite" in message and "profil « Médecin »" in message
    # The command-line profile wins over meta.profile.
    assert load_answers(write("b.yaml", text), mini, "telesecretariat").values == {
        "q.t.identite": "yes"
    }
    # Without any profile, every question may be answered.
    assert load_answers(write("c.yaml", "q.t.identite: non\n"), mini).values == {
        "q.t.identite": "no"
    }


def test_meta_errors_name_the_field(write, mini) -> None:
    message = _error(write, mini, "q.s.canal: mss\nmeta:\n  profile: dentiste\n")
    assert "ligne 3, champ meta.profile : profil « dentiste » inconnu" in message
    message = _error(write, mini, "meta:\n  cabinet: X\n")
    assert "ligne 2, champ meta.cabinet : champ inconnu" in message
    message = _error(write, mini, "meta:\n  date: bientôt\n")
    assert "ligne 2, champ meta.date" in message


def test_repeated_question_is_an_error(write, mini) -> None:
    message = _error(write, mini, "q.s.canal: mss\nq.s.canal: mail\n")
    assert "ligne 2, champ q.s.canal : clé répétée (déjà présente ligne 1)" in message


def test_non_text_key(write, mini) -> None:
    assert "ligne 2" in _error(write, mini, "q.s.canal: mss\n12: oui\n")


def test_unknown_profile_argument(write, mini) -> None:
    with pytest.raises(InputError, match="profil « dentiste » inconnu"):
        load_answers(write("a.yaml", "q.s.canal: mss\n"), mini, "dentiste")


def test_tab_indentation_is_explained(write, mini) -> None:
    message = _error(write, mini, "q.s.canal:\tmss\n")
    assert "ligne 1" in message and "tabulation" in message


def test_answers_directory_is_refused(tmp_path: Path, mini) -> None:
    assert _error_for(tmp_path, mini).startswith(f"{tmp_path} : c'est un dossier")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="pas de tubes nommés ici")
def test_answers_fifo_does_not_block(tmp_path: Path, mini) -> None:
    fifo = tmp_path / "answers.yaml"
    os.mkfifo(fifo)
    assert _error_for(fifo, mini).startswith(f"{fifo} : fichier de réponses inutilisable")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="pas de /dev/zero ici")
def test_answers_dev_zero_does_not_hang(mini) -> None:
    message = _error_for(Path("/dev/zero"), mini)
    assert message.startswith("/dev/zero : ") and "pas un fichier ordinaire" in message


def test_answers_too_big(write, mini) -> None:
    path = write("a.yaml", "# " + "x" * (2 * 1024 * 1024) + "\n")
    assert "trop volumineux (plus de 2 Mio)" in _error_for(path, mini)


def test_answers_with_python_tag(write, mini) -> None:
    message = _error(
        write, mini, "q.s.canal: mss\nq.s.patients: !!python/object/apply:os.system [id]\n"
    )
    assert "ligne 2" in message and "étiquette YAML" in message


def test_answers_with_complex_key(write, mini) -> None:
    assert "clé complexe" in _error(write, mini, "? [q.s.canal, q.s.messagerie]\n: oui\n")


def test_answers_with_alias_bomb(write, mini) -> None:
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]" for n in range(1, 9)]
    assert "trop grand" in _error(write, mini, "\n".join(lines) + "\n")


def test_answers_with_self_referencing_alias(write, mini) -> None:
    assert "référence circulaire" in _error(write, mini, "q.s.contenu: &a [*a]\n")


def _error_for(path: Path, mini) -> str:
    with pytest.raises(ContentError) as info:
        load_answers(path, mini)
    return str(info.value)
