"""The RGPD questionnaire: schema, loading, answers files and evaluation into findings.

Typical use::

    questionnaire = load_questionnaire()            # questionnaires/sante.yaml
    answers = load_answers(Path("answers.yaml"), questionnaire, profile="medecin")
    findings = evaluate(questionnaire, answers)
"""

from rgpd_audit.questionnaire.answers import (
    Answers,
    AnswersMeta,
    load_answers,
    load_example_answers,
)
from rgpd_audit.questionnaire.evaluate import answer_lines, evaluate
from rgpd_audit.questionnaire.loader import load_questionnaire, load_questionnaire_file
from rgpd_audit.questionnaire.schema import Question, Questionnaire, QuestionType
from rgpd_audit.questionnaire.values import DONT_KNOW

__all__ = [
    "DONT_KNOW",
    "Answers",
    "AnswersMeta",
    "Question",
    "QuestionType",
    "Questionnaire",
    "answer_lines",
    "evaluate",
    "load_answers",
    "load_example_answers",
    "load_questionnaire",
    "load_questionnaire_file",
]
