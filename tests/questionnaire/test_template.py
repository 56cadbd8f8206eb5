"""The answers skeleton and the JSON Schema of answers files: both must agree with load_answers."""

import re
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from rgpd_audit.questionnaire import (
    load_answers,
    load_example_answers,
    load_questionnaire,
    load_questionnaire_file,
)
from rgpd_audit.questionnaire.answers import AnswersMeta
from rgpd_audit.questionnaire.answers_schema import answers_json_schema, answers_model
from rgpd_audit.questionnaire.describe import in_profile
from rgpd_audit.questionnaire.template import answers_template

DATA = Path(__file__).parent / "data" / "entretien.yaml"


@pytest.fixture(scope="module")
def entretien():
    return load_questionnaire_file(DATA)


def fill(template: str, answers: dict[str, str]) -> str:
    """Write each answer after its blank key, as a person does in an editor."""
    for question_id, written in answers.items():
        template, count = re.subn(
            rf"^{re.escape(question_id)}:$", f"{question_id}: {written}", template, flags=re.M
        )
        assert count == 1, question_id
    return template


def test_skeleton_lists_the_profile_questions_with_what_to_answer(entretien) -> None:
    text = answers_template(entretien, "medecin")
    keys = re.findall(r"^(q\.[a-z0-9_.]+):$", text, flags=re.M)
    assert keys == [q.id for q in entretien.questions() if not q.id.startswith("q.secretariat")]
    assert "  profile: medecin\n" in text
    assert "# Section 2/2 : Gouvernance" in text
    assert "#   Posée si : q.canaux.whatsapp_contenu comprend « Rendez-vous »" in text
    assert "#     ancien = Oui, mais ancien" in text
    block = text[text.index("# Date de la dernière revue") :]
    assert block.splitlines()[1] == "#   Réponse : une date AAAA-MM-JJ"
    assert "q.secretariat" in answers_template(entretien)


def test_skeleton_loads_blank_and_once_filled(tmp_path: Path, entretien) -> None:
    text = answers_template(entretien, "medecin")
    path = tmp_path / "reponses.yaml"
    path.write_text(text, encoding="utf-8")
    blank = load_answers(path, entretien)
    assert blank.values == {} and blank.meta.profile == "medecin"

    filled = fill(
        text,
        {
            "q.canaux.whatsapp": "oui",
            "q.canaux.whatsapp_contenu": "[rdv]",
            "q.canaux.whatsapp_groupe": "non",
            "q.canaux.mssante": "je ne sais pas",
            "q.gouvernance.registre": "ancien",
            "q.gouvernance.postes": "3",
            "q.gouvernance.revue": "2026-01-05",
            "q.gouvernance.dpo": '"Dr Martin : DPO"',
        },
    )
    path.write_text(filled, encoding="utf-8")
    answers = load_answers(path, entretien)
    assert answers.values["q.canaux.whatsapp_contenu"] == ["rdv"]
    assert answers.values["q.gouvernance.dpo"] == "Dr Martin : DPO"
    assert len(answers.values) == 8
    # The JSON Schema's model accepts the same file.
    answers_model(entretien).model_validate(yaml.safe_load(filled))


def test_skeleton_filled_where_the_condition_is_false_names_the_line(
    tmp_path: Path, entretien
) -> None:
    text = fill(
        answers_template(entretien, "medecin"),
        {"q.canaux.whatsapp": "non", "q.canaux.whatsapp_contenu": "[rdv]"},
    )
    path = tmp_path / "reponses.yaml"
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("q.canaux.whatsapp_contenu: [rdv]") + 1
    with pytest.raises(Exception, match=rf"ligne {line}, question q.canaux.whatsapp_contenu"):
        load_answers(path, entretien)


@pytest.mark.parametrize("profile", [None, "medecin", "paramedical", "telesecretariat"])
def test_shipped_skeleton_loads_back(tmp_path: Path, profile: str | None) -> None:
    questionnaire = load_questionnaire()
    if profile is not None and profile not in questionnaire.profiles:
        pytest.skip(f"profil {profile} absent du contenu livré")
    text = answers_template(questionnaire, profile)
    keys = re.findall(r"^(q\.[a-z0-9_.]+):$", text, flags=re.M)
    expected = [
        q.id for s in questionnaire.sections for q in s.questions if in_profile(s, q, profile)
    ]
    assert keys == expected
    path = tmp_path / "reponses.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_answers(path, questionnaire).values == {}


def test_shipped_skeleton_filled_with_the_example_answers(tmp_path: Path) -> None:
    questionnaire = load_questionnaire()
    example = load_example_answers(questionnaire)
    profile = example.meta.profile
    written = {
        question_id: yaml.safe_dump(value, default_flow_style=True, allow_unicode=True)
        .removesuffix("\n...\n")
        .strip()
        for question_id, value in example.values.items()
    }
    path = tmp_path / "reponses.yaml"
    path.write_text(fill(answers_template(questionnaire, profile), written), encoding="utf-8")
    assert load_answers(path, questionnaire).values == example.values


def test_json_schema_describes_every_answer(entretien) -> None:
    schema = answers_json_schema(entretien)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    properties = schema["properties"]
    assert list(properties) == ["meta", *(q.id for q in entretien.questions()), "password_tests"]
    tested = properties["password_tests"]["anyOf"][0]["items"]["$ref"].rsplit("/", 1)[1]
    assert "password" not in schema["$defs"][tested]["properties"]  # only derived results
    registre = properties["q.gouvernance.registre"]
    assert "Tenez-vous un registre" in registre["description"]
    assert {"a_jour", "ancien", "non"} <= _enums(registre)
    assert "je_ne_sais_pas" in _enums(registre)
    contenu = properties["q.canaux.whatsapp_contenu"]
    assert "posée si : q.canaux.whatsapp est « Oui »" in contenu["description"]
    arrays = [option for option in contenu["anyOf"] if option.get("type") == "array"]
    assert arrays and _enums(arrays[0]["items"]) == {"rdv", "resultats"}


def test_json_schema_meta_matches_the_answers_meta(entretien) -> None:
    schema = answers_json_schema(entretien)
    meta = schema["$defs"]["Meta"]
    assert list(meta["properties"]) == list(AnswersMeta.model_fields)
    assert _enums(meta["properties"]["profile"]) == {"medecin", "telesecretariat"}


def test_json_schema_model_refuses_what_load_answers_refuses(entretien) -> None:
    model = answers_model(entretien)
    for bad in (
        {"q.gouvernance.registre": "peut-etre"},
        {"q.canaux.whatsapp_contenu": "rdv"},
        {"q.inconnue": "oui"},
        {"q.gouvernance.postes": "trois"},
        {"meta": {"profile": "dentiste"}},
    ):
        with pytest.raises(ValidationError):
            model.model_validate(bad)


def _enums(schema: dict) -> set[str]:
    found: set[str] = set()
    if "enum" in schema:
        found.update(schema["enum"])
    if "const" in schema:
        found.add(schema["const"])
    for option in schema.get("anyOf", []):
        found |= _enums(option)
    return found
