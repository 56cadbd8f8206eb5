"""Broken questionnaire files are rejected with file, line, question and field named."""

import re
from pathlib import Path

import pytest

from rgpd_audit.errors import ContentError
from rgpd_audit.questionnaire import load_questionnaire, load_questionnaire_file
from rgpd_audit.questionnaire.loader import parse_questionnaire


def _reject(text: str, *fragments: str) -> str:
    with pytest.raises(ContentError) as info:
        parse_questionnaire(text, "mini.yaml")
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_mini_is_valid(mini) -> None:
    assert [q.id for q in mini.questions()][:2] == ["q.s.canal", "q.s.messagerie"]
    assert mini.version == "1.0", "un numéro de version lu comme nombre redevient du texte"


def test_unknown_severity_message_names_file_line_question_field(mini_text, line_of) -> None:
    text = mini_text.replace("severity: high", "severity: urgent", 1)
    line = line_of(text, "severity: urgent")
    message = _reject(text)
    assert message == (
        f"mini.yaml, ligne {line}, question q.s.canal, champ scoring[0].severity : "
        "valeur « urgent » inconnue (attendu : info, low, medium, high, critical)"
    )


def test_when_on_a_later_question_is_rejected(mini_text, line_of) -> None:
    text = mini_text.replace(
        "        type: yes_no\n      - id: q.s.contenu",
        "        type: yes_no\n        when:\n          q.s.patients: {gt: 3}\n"
        "      - id: q.s.contenu",
        1,
    )
    message = _reject(
        text,
        f"ligne {line_of(text, 'q.s.patients: {gt: 3}')}",
        "question q.s.messagerie",
        "champ when[q.s.patients]",
        "définie plus loin",
        "posée avant",
    )
    assert message.startswith("mini.yaml")


def test_when_on_itself_or_an_unknown_question(mini_text) -> None:
    _reject(
        mini_text.replace("q.s.messagerie: oui", "q.s.contenu: {contains: sante}"),
        "définie plus loin",
    )
    _reject(
        mini_text.replace("q.s.messagerie: oui", "q.s.inconnue: oui"),
        "question inconnue « q.s.inconnue »",
    )


def test_when_value_must_fit_the_referenced_question(mini_text, line_of) -> None:
    text = mini_text.replace("q.s.messagerie: oui", "q.s.messagerie: peut-etre")
    _reject(
        text, f"ligne {line_of(text, 'peut-etre')}", "question q.s.contenu", "oui ou non attendu"
    )


def test_scoring_value_must_be_a_choice(mini_text, line_of) -> None:
    text = mini_text.replace("when_answer: mail", "when_answer: courrier")
    _reject(
        text,
        f"ligne {line_of(text, 'courrier')}",
        "question q.s.canal",
        "champ scoring[0].when_answer",
        "choix « courrier » inconnu (attendu : mail, mss)",
    )
    text = mini_text.replace("{contains: sante}", "{contains: sant}")
    _reject(text, "champ scoring[0].when_answer.contains", "choix « sant » inconnu")


def test_operator_must_fit_the_question_type(mini_text) -> None:
    _reject(
        mini_text.replace("{contains: sante}", "sante"),
        "question q.s.contenu",
        "opérateur « equals » impossible",
        "utilisez contains",
    )
    _reject(
        mini_text.replace("when_answer: mail", "when_answer: {contains: mail}"),
        "opérateur « contains »",
    )
    _reject(mini_text.replace("{gt: 10000}", "{gt: 10000, lt: 3}"), "un seul opérateur")


def test_unknown_reference_slug(mini_text, line_of) -> None:
    text = mini_text.replace("[rgpd-art9]", "[rgpd-art99]")
    _reject(
        text,
        f"mini.yaml, ligne {line_of(text, 'rgpd-art99')}, question q.s.contenu, "
        "champ scoring[0].references",
        "rgpd-art99",
    )


def test_choices_required_for_choice_types_and_forbidden_otherwise(mini_text) -> None:
    text = mini_text.replace(
        "        type: single_choice\n        choices:\n"
        "          - {value: mail, label: E-mail ordinaire}\n"
        "          - {value: mss, label: MSSanté}\n",
        "        type: single_choice\n",
    )
    _reject(text, "question q.s.canal", "champ choices", "au moins deux choix")
    text = mini_text.replace(
        "        type: date\n", "        type: date\n        choices: [{value: a, label: A}]\n"
    )
    _reject(text, "question q.s.depuis", "champ choices", "n'a pas de choix")


def test_choice_values_must_be_unambiguous_and_unique(mini_text) -> None:
    _reject(mini_text.replace("{value: mss,", "{value: mail,"), "valeur « mail » répétée")
    text = mini_text.replace("{value: mss,", "{value: 'yes',")
    _reject(text, "valeur « yes » réservée")


def test_duplicate_question_id(mini_text, line_of) -> None:
    text = mini_text.replace("id: q.s.depuis", "id: q.s.canal")
    _reject(
        text,
        f"ligne {line_of(text, 'id: q.s.canal', start=line_of(text, 'Combien'))}",
        "question q.s.canal",
        f"identifiant déjà utilisé ligne {line_of(text, 'id: q.s.canal')}",
    )


def test_bad_question_id_pattern(mini_text) -> None:
    _reject(
        mini_text.replace("id: q.s.depuis", "id: Q.S.Depuis"), "champ id", "format « Q.S.Depuis »"
    )


def test_unknown_field_and_missing_field(mini_text, line_of) -> None:
    text = mini_text.replace("        help: Question de tri.\n", "        aide: Question de tri.\n")
    _reject(text, "question q.s.messagerie", "champ aide", "champ inconnu")
    _reject(text, f"ligne {line_of(text, 'aide:')}")
    text = mini_text.replace("            remediation: Arrêtez.\n", "")
    _reject(text, "question q.s.contenu", "champ scoring[0].remediation", "obligatoire")


def test_scored_question_needs_finding_title(mini_text) -> None:
    _reject(
        mini_text.replace("        finding_title: Canal des comptes rendus\n", ""),
        "question q.s.canal",
        "champ finding_title",
    )


def test_unknown_profile_and_category(mini_text) -> None:
    _reject(
        mini_text.replace("profiles: [medecin]", "profiles: [dentiste]"),
        "profil « dentiste » inconnu",
    )
    _reject(
        mini_text.replace("        type: date\n", "        type: date\n        category: divers\n"),
        "catégorie « divers » inconnue",
    )


def test_yaml_syntax_error_names_the_line(mini_text) -> None:
    text = mini_text.replace("title: Section commune", "title: [Section commune")
    message = _reject(text, "mini.yaml, ligne", "YAML invalide")
    assert re.search(r"ligne \d+", message)


def test_repeated_key_is_an_error(mini_text, line_of) -> None:
    text = mini_text.replace(
        "        help: Question de tri.\n", "        help: A.\n        help: B.\n"
    )
    _reject(text, f"ligne {line_of(text, 'help: B.')}", "clé répétée")


def test_missing_files(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="introuvable"):
        load_questionnaire_file(tmp_path / "absent.yaml")
    with pytest.raises(ContentError, match="introuvable"):
        load_questionnaire("absent")
    with pytest.raises(ContentError, match="invalide"):
        load_questionnaire("../sante")


def test_bare_list_is_explained(mini_text) -> None:
    text = mini_text.replace("when_answer: mail", "when_answer: [mail, mss]")
    _reject(text, "question q.s.canal", "{in: [valeur1, valeur2]}")


def test_shared_texts_through_aliases(mini_text) -> None:
    # The shipped questionnaire shares remediation texts with anchors: they must keep working.
    text = mini_text.replace(
        "remediation: Utilisez MSSanté.", "remediation: &mss Utilisez MSSanté."
    ).replace("remediation: Arrêtez.", "remediation: *mss")
    questionnaire = parse_questionnaire(text, "mini.yaml")
    rule = questionnaire.question("q.s.contenu").scoring[0]
    assert rule.remediation == "Utilisez MSSanté."


def test_hostile_yaml_is_a_content_error(mini_text, line_of) -> None:
    text = mini_text.replace("help: Question de tri.", "help: !!python/object/apply:os.system [ls]")
    _reject(text, f"mini.yaml, ligne {line_of(text, 'os.system')}", "étiquette YAML")
    _reject(mini_text.replace("sections:\n", "sections: &s\n  - *s\n", 1), "référence circulaire")


def test_questionnaire_file_must_be_a_regular_file(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="dossier, pas un fichier de questionnaire"):
        load_questionnaire_file(tmp_path)
