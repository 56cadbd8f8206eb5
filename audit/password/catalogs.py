"""Data files of the password checks: CNIL thresholds, feedback translations, French list.

The files live in `rgpd_audit.password.data`, registered here with `rgpd_audit.datafiles`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rgpd_audit.datafiles import Snapshot, register_data_file
from rgpd_audit.password.results import CaseId

DATA_PACKAGE = "rgpd_audit.password.data"


class CharClass(BaseModel):
    """A character type a policy may require, with its number of symbols."""

    model_config = ConfigDict(extra="forbid")

    label: str
    size: int = Field(gt=0)


class Case(BaseModel):
    """One case of the CNIL 2022-100 recommendation."""

    model_config = ConfigDict(extra="forbid")

    number: int
    bits: int = Field(gt=0)
    label: str
    description: str
    examples: str


class CnilRules(BaseModel):
    """password_cnil.yaml."""

    model_config = ConfigDict(extra="forbid")

    snapshot: Snapshot
    classes: dict[str, CharClass]
    cases: dict[CaseId, Case]

    def alphabet(self, classes: list[str]) -> int:
        """Number of symbols of the given character types (unknown types are an error)."""
        return sum(self.classes[c].size for c in classes)


class FeedbackTable(BaseModel):
    """password_feedback_fr.yaml."""

    model_config = ConfigDict(extra="forbid")

    snapshot: Snapshot
    fallback: str
    messages: dict[str, str]
    own: dict[str, str]

    def translate(self, english: str) -> str:
        """The French text of one zxcvbn message; never English."""
        return self.messages.get(english, self.fallback)


class WordList(BaseModel):
    """french_wordlist.txt: provenance in `#` comment lines, then one word per line, most
    guessable first (scripts/build_french_wordlist.py writes it)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    header: str = Field(min_length=1, description="The comment lines, without their #")
    words: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        # The data registry hands a text file over whole, as {"text": …}.
        if not isinstance(data, dict) or set(data) != {"text"} or not isinstance(data["text"], str):
            return data
        lines = data["text"].splitlines()
        return {
            "header": "\n".join(line[1:].strip() for line in lines if line.startswith("#")),
            "words": [line for line in lines if line and not line.startswith("#")],
        }


CNIL_RULES = register_data_file(
    DATA_PACKAGE,
    "password_cnil.yaml",
    CnilRules,
    name="Recommandation de la CNIL sur les mots de passe",
    in_report=False,
)
FEEDBACK = register_data_file(
    DATA_PACKAGE,
    "password_feedback_fr.yaml",
    FeedbackTable,
    name="Conseils sur les mots de passe en français",
    in_report=False,
)
WORDLIST = register_data_file(
    DATA_PACKAGE,
    "french_wordlist.txt",
    WordList,
    name="Liste française de mots de passe devinables",
    in_report=False,
)


def cnil_rules() -> CnilRules:
    """CNIL thresholds per case and character-type sizes."""
    return CNIL_RULES.load()


def feedback_table() -> FeedbackTable:
    """French translations of zxcvbn's advice."""
    return FEEDBACK.load()


def french_words() -> tuple[str, ...]:
    """The French list, most guessable first (comment lines skipped)."""
    return WORDLIST.load().words


def wordlist_header() -> str:
    """The provenance lines of the French list, without their `#`."""
    return WORDLIST.load().header
