"""Password strength: the French list, the practice's words, CNIL verdicts, French advice."""

import inspect
import json

import pytest
import zxcvbn
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from zxcvbn import feedback as zxcvbn_feedback

from rgpd_audit.password.catalogs import feedback_table, french_words
from rgpd_audit.password.cnil import entropy, judge, meets
from rgpd_audit.password.practice import practice_words
from rgpd_audit.password.strength import assess, character_classes

FRENCH_WEAK = ["Doudou2024!", "azerty123", "soleil1985", "Marseille13!", "qsdfghjklm"]


@pytest.mark.parametrize("password", FRENCH_WEAK)
def test_french_passwords_are_weak(password: str) -> None:
    result = assess(password, label="Logiciel métier")
    verdict = judge(result)
    assert result.score <= 2
    assert result.predictable
    assert not verdict.compliant
    assert "quelle que soit sa longueur" in verdict.summary


def test_the_french_list_is_what_makes_doudou_weak() -> None:
    # zxcvbn alone only knows English lists: the French list is what lowers the estimate.
    assert zxcvbn.zxcvbn("Doudou2024!")["score"] == 4
    assert assess("Doudou2024!", label="x").score <= 2


def test_french_warning_names_the_french_list() -> None:
    result = assess("soleil1985", label="x")
    assert result.warning == feedback_table().own["french_word"]


def test_practice_words_make_a_password_guessable() -> None:
    answers = {"q.cabinet.ville": "Plouguerneau", "q.cabinet.praticiens": "Dr Anne Kervadec"}
    words = practice_words(answers, "Cabinet Kervadec", "cabinet-kervadec.fr")
    assert {"plouguerneau", "kervadec", "anne", "annekervadec", "cabinetkervadec"} <= set(words)
    assert "dr" not in words and "fr" not in words
    with_words = assess("Kervadec2025!", label="x", user_inputs=words)
    without = assess("Kervadec2025!", label="x")
    assert with_words.practice_word and not without.practice_word
    assert with_words.guesses < without.guesses
    assert not judge(with_words).compliant
    assert with_words.warning == feedback_table().own["practice_word"]


def test_accented_town_is_folded() -> None:
    assert "saintetienne" in practice_words({"q.cabinet.ville": "Saint-Étienne"})


@pytest.mark.parametrize(
    ("password", "case", "compliant"),
    [
        ("xK9#mQ2vL!pZ", "seul", True),  # 12 random characters, 4 types: 79.6 → 80 bits
        ("Kx9mQ2vLpZ7a4b", "seul", True),  # 14 random letters and digits: 83 bits
        ("xK9#mQ2vL!p", "seul", False),  # 11 characters: 73 bits
        ("Wq8!zP#4", "essais_limites", True),  # 8 random characters, 4 types: 53 bits
        ("Wq8azP94", "essais_limites", False),  # 8 letters and digits: 47.6 bits
        ("7391", "code_appareil", True),  # 4-digit code of a device that blocks
        ("1234", "code_appareil", False),  # a sequence fails whatever its case
    ],
)
def test_cnil_cases(password: str, case: str, compliant: bool) -> None:
    assert judge(assess(password, label="x", case=case)).compliant is compliant


def test_cnil_rounding_and_formula() -> None:
    assert meets(entropy(12, 99), 80)
    assert not meets(entropy(8, 62), 50)
    assert character_classes("aB3!") == ["minuscules", "majuscules", "chiffres", "speciaux"]
    assert character_classes("éléphant") == ["minuscules"]


def test_long_passphrase_passes_and_length_is_capped() -> None:
    result = assess("cheval-batterie-agrafe-correct-lune-tigre-orange", label="x")
    assert judge(result).compliant
    assert assess("Zq" * 100, label="x").score >= 0  # beyond zxcvbn's 72 characters


def test_empty_password_is_refused() -> None:
    with pytest.raises(ValueError):
        assess("", label="x")


CORPUS = [
    "",
    "password",
    "azerty",
    "Azerty",
    "AZERTY",
    "drowssap",
    "p@ssw0rd",
    "qwertyuiop",
    "zxcvbn",
    "aaaaaaa",
    "abcabcabc",
    "abcdef",
    "654321",
    "1987",
    "2024",
    "12/05/1987",
    "13051987",
    "john",
    "smith",
    "johnsmith",
    "correcthorse",
    "Tr0ub4dor&3",
    "motdepasse",
    "Doudou2024!",
]


def test_every_message_zxcvbn_gives_is_translated() -> None:
    table = feedback_table()
    source = inspect.getsource(zxcvbn_feedback)
    for english in table.messages:
        # Each key still exists in zxcvbn (messages split over lines are checked by start).
        assert english.split(" ")[0] in source
    for password in CORPUS:
        raw = (
            zxcvbn.zxcvbn(password)
            if password
            else {"feedback": zxcvbn_feedback.get_feedback(0, [])}
        )
        messages = [raw["feedback"]["warning"], *raw["feedback"]["suggestions"]]
        for english in filter(None, messages):
            assert english in table.messages, english


def test_french_list_is_ranked_and_attributed() -> None:
    words = french_words()
    assert words[0] == "azerty"
    for word in ["doudou", "soleil", "marie", "kevin", "ete", "été", "qsdfgh"]:
        assert word in words, word
    assert len(words) == len(set(words))


# Every fixed French text the result may contain: a password made of it proves nothing.
VOCABULARY = " ".join(
    [
        *feedback_table().messages.values(),
        *feedback_table().own.values(),
        feedback_table().fallback,
        judge(assess("Doudou2024!", label="Compte")).summary,
        judge(assess("xK9#mQ2vL!pZ", label="Compte")).summary,
        json.dumps(judge(assess("a", label="Compte")).model_dump(), ensure_ascii=False),
        json.dumps(assess("a", label="Compte").model_dump(), ensure_ascii=False),
    ]
).lower()


@settings(max_examples=150, deadline=None)
@given(
    password=st.one_of(
        st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=4, max_size=40),
        st.builds(
            lambda word, tail: word + tail,
            st.sampled_from(["doudou", "soleil", "kervadec", "azerty", "Marseille"]),
            st.text("0123456789!?#aZ", min_size=0, max_size=8),
        ),
    ),
    case=st.sampled_from(["seul", "essais_limites", "code_appareil"]),
)
def test_only_derived_data_leaves_the_scoring(password: str, case: str) -> None:
    grams = {password[i : i + 4].lower() for i in range(len(password) - 3)}
    assume(not any(g in VOCABULARY for g in grams))
    result = assess(password, label="Compte", case=case, user_inputs=["kervadec"])
    payload = {**result.model_dump(mode="json"), "cnil": judge(result).model_dump(mode="json")}
    assert set(payload) == {
        "label",
        "case",
        "score",
        "guesses",
        "guesses_log2",
        "cnil_bits",
        "predictable",
        "practice_word",
        "warning",
        "suggestions",
        "cnil",
    }
    strings = "\n".join(_strings(payload)).lower()
    for gram in grams:
        assert gram not in strings


def _strings(value: object) -> list[str]:
    # Numbers are derived estimates; only text could carry a piece of the password.
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)] + [str(k) for k in value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []
