"""Data files of the password checks: CNIL thresholds, feedback translations, French list."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rgpd_audit.errors import ContentError
from rgpd_audit.password.results import CaseId
from rgpd_audit.yaml_source import YamlDocument, validation_message

PACKAGE = "rgpd_audit.checks"
WORDLIST = "data/french_wordlist.txt"


class Snapshot(BaseModel):
    """Where a data file comes from and when it was taken."""

    source: str
    retrieved: str


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
    """checks/data/password_cnil.yaml."""

    model_config = ConfigDict(extra="forbid")

    snapshot: Snapshot
    classes: dict[str, CharClass]
    cases: dict[CaseId, Case]

    def alphabet(self, classes: list[str]) -> int:
        """Number of symbols of the given character types (unknown types are an error)."""
        return sum(self.classes[c].size for c in classes)


class FeedbackTable(BaseModel):
    """checks/data/password_feedback_fr.yaml."""

    model_config = ConfigDict(extra="forbid")

    snapshot: Snapshot
    fallback: str
    messages: dict[str, str]
    own: dict[str, str]

    def translate(self, english: str) -> str:
        """The French text of one zxcvbn message; never English."""
        return self.messages.get(english, self.fallback)


def _validated(model: type[BaseModel], name: str) -> Any:
    source = f"{PACKAGE}/{name}"
    doc = YamlDocument.read(files(PACKAGE) / name, source)
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise ContentError(validation_message(doc, exc)) from None


@cache
def cnil_rules() -> CnilRules:
    """CNIL thresholds per case and character-type sizes."""
    return _validated(CnilRules, "data/password_cnil.yaml")


@cache
def feedback_table() -> FeedbackTable:
    """French translations of zxcvbn's advice."""
    return _validated(FeedbackTable, "data/password_feedback_fr.yaml")


@cache
def french_words() -> tuple[str, ...]:
    """The French list, most guessable first (comment lines skipped)."""
    text = (files(PACKAGE) / WORDLIST).read_text(encoding="utf-8")
    return tuple(line for line in text.splitlines() if line and not line.startswith("#"))


@cache
def wordlist_header() -> str:
    """The provenance lines of the French list, without their `#`."""
    text = (files(PACKAGE) / WORDLIST).read_text(encoding="utf-8")
    lines = [line[1:].strip() for line in text.splitlines() if line.startswith("#")]
    return "\n".join(lines)
