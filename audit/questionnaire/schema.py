"""Pydantic models of a questionnaire file (`questionnaires/*.yaml`).

The models check the shape of the file. Rules that need the whole questionnaire (unique ids,
conditions pointing at earlier questions, choice values, reference slugs) are checked by
`rgpd_audit.questionnaire.loader`, which knows the file's line numbers.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from rgpd_audit.models import Basis, Severity

QUESTION_ID_PATTERN = r"^q(\.[a-z0-9_]+)+$"
SECTION_ID_PATTERN = r"^[a-z0-9_]+$"
CHOICE_VALUE_PATTERN = r"^[a-z][a-z0-9_]*$"
PROFILE_ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class QuestionType(StrEnum):
    """Kind of answer a question expects."""

    YES_NO = "yes_no"
    SINGLE_CHOICE = "single_choice"
    MULTI_CHOICE = "multi_choice"
    NUMBER = "number"
    TEXT = "text"
    DATE = "date"

    @property
    def has_choices(self) -> bool:
        """single_choice and multi_choice questions list their `choices`."""
        return self in (QuestionType.SINGLE_CHOICE, QuestionType.MULTI_CHOICE)


class _Strict(BaseModel):
    # A misspelt key in a hand-edited file must be an error, not a silently ignored field.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Choice(_Strict):
    """One possible answer of a choice question: `value` is stored, `label` is shown."""

    value: str = Field(pattern=CHOICE_VALUE_PATTERN)
    label: str


OPERATORS = ("equals", "in", "not_in", "contains", "contains_any", "lt", "lte", "gt", "gte")


class Matcher(_Strict):
    """A test on one answer.

    Written in YAML either as a bare value (equality) or as a one-key block:
    `{in: [...]}`, `{not_in: [...]}`, `{contains: v}` / `{contains_any: [...]}` for
    multi_choice answers, `{lt|lte|gt|gte: n}` for numbers and dates. Operands stay as written;
    `rgpd_audit.questionnaire.conditions` normalises them with the question's type.
    """

    equals: Any = None
    in_: list[Any] | None = Field(None, alias="in")
    not_in: list[Any] | None = None
    contains: Any = None
    contains_any: list[Any] | None = None
    lt: Any = None
    lte: Any = None
    gt: Any = None
    gte: Any = None

    @model_validator(mode="before")
    @classmethod
    def _bare_value_means_equals(cls, data: Any) -> Any:
        return data if isinstance(data, dict) else {"equals": data}

    @model_validator(mode="after")
    def _exactly_one_operator(self) -> Matcher:
        if len(self.model_fields_set) != 1:
            raise ValueError(f"indiquez un seul opérateur parmi : {', '.join(OPERATORS)}")
        return self

    @property
    def operator(self) -> str:
        """Operator name as written in YAML (`in`, not `in_`)."""
        name = next(iter(self.model_fields_set))
        return "in" if name == "in_" else name

    @property
    def operand(self) -> Any:
        """The value (or list of values) given to the operator, as written."""
        return getattr(self, next(iter(self.model_fields_set)))


Condition = dict[str, Matcher]
"""`{question_id: matcher}`; every entry must hold for the condition to hold."""


class ScoringRule(_Strict):
    """A non-compliant answer and the finding it produces. The first matching rule wins."""

    when_answer: Matcher
    status: Literal["fail"] = "fail"
    severity: Severity
    title: str
    summary: str | None = None
    remediation: str
    references: list[str] = Field(min_length=1)
    # A rule may rest on another text than its question (e.g. a partial gap that only a
    # guide describes): these override the question's own basis.
    basis: Basis | None = None
    basis_reference: str | None = None


class PassOutcome(_Strict):
    """Wording of the finding when the question is answered and no rule matches."""

    title: str
    summary: str | None = None


class Question(_Strict):
    """One question. Without `scoring` it is informational and produces no finding."""

    id: str = Field(pattern=QUESTION_ID_PATTERN)
    text: str
    help: str
    type: QuestionType
    choices: list[Choice] | None = None
    when: Condition | None = None
    profiles: list[str] | None = None
    category: str = "communication"
    finding_title: str | None = None
    scoring: list[ScoringRule] = Field(default_factory=list)
    pass_: PassOutcome | None = Field(None, alias="pass")
    basis: Basis | None = None
    basis_reference: str | None = None
    counts_as: str | None = None
    exposes_health_data: bool = False

    @property
    def scored(self) -> bool:
        """Whether the question produces a finding (it has scoring rules)."""
        return bool(self.scoring)

    @property
    def max_severity(self) -> Severity:
        """Highest severity among the rules: the weight of the question in the score."""
        severities = [rule.severity for rule in self.scoring]
        return max(severities, key=lambda s: s.rank, default=Severity.INFO)

    @property
    def reference_slugs(self) -> list[str]:
        """Slugs cited by all rules, without duplicates, in order of appearance."""
        return list(dict.fromkeys(slug for rule in self.scoring for slug in rule.references))

    def choice_label(self, value: str) -> str:
        """Label of a choice value (the value itself if unknown)."""
        return next((c.label for c in self.choices or [] if c.value == value), value)


class Section(_Strict):
    """A group of questions; `profiles` and `when` hide the whole section."""

    id: str = Field(pattern=SECTION_ID_PATTERN)
    title: str
    intro: str | None = None
    profiles: list[str] | None = None
    when: Condition | None = None
    questions: list[Question] = Field(min_length=1)


class Questionnaire(_Strict):
    """A whole questionnaire: profiles (id → label) and ordered sections of questions."""

    id: str = Field(pattern=r"^[a-z0-9_-]+$")
    version: str
    title: str
    profiles: dict[str, str] = Field(min_length=1)
    sections: list[Section] = Field(min_length=1)

    _index: dict[str, Question] = PrivateAttr(default_factory=dict)

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, value: Any) -> Any:
        # `version: 1.0` is a float for YAML; the author meant the text "1.0".
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return value

    def model_post_init(self, context: Any, /) -> None:
        self._index = {q.id: q for section in self.sections for q in section.questions}

    @property
    def label(self) -> str:
        """`id` and `version`, as stored in `audit.json`."""
        return f"{self.id} {self.version}"

    def questions(self) -> list[Question]:
        """All questions in order."""
        return [q for section in self.sections for q in section.questions]

    def question(self, question_id: str) -> Question | None:
        """The question with this id, if any."""
        return self._index.get(question_id)
