"""Data files of the password checks: CNIL thresholds, feedback translations, French list."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from pydantic import BaseModel, ConfigDict, Field

from rgpd_audit.catalog import Snapshot, shipped_model
from rgpd_audit.password.results import CaseId

PACKAGE = "rgpd_audit.checks"
WORDLIST = "data/french_wordlist.txt"


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


@cache
def cnil_rules() -> CnilRules:
    """CNIL thresholds per case and character-type sizes."""
    return shipped_model(CnilRules, PACKAGE, "data/password_cnil.yaml")


@cache
def feedback_table() -> FeedbackTable:
    """French translations of zxcvbn's advice."""
    return shipped_model(FeedbackTable, PACKAGE, "data/password_feedback_fr.yaml")


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
