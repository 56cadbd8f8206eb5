"""French text of a tested password's result, for the terminal, and its answers-file block."""

from __future__ import annotations

from collections.abc import Sequence

import yaml

from rgpd_audit.password.cnil import CnilVerdict, decimal
from rgpd_audit.password.results import PASSWORD_TESTS_KEY, Assessment

BLOCK_HEADER = "# Mots de passe testés : résultats seulement, jamais les mots de passe.\n"
# zxcvbn's own reading of its scores, from "too guessable" to "very unguessable".
SCORE_WORDS = [
    "très facile à deviner",
    "facile à deviner",
    "assez facile à deviner",
    "difficile à deviner",
    "très difficile à deviner",
]


def describe(assessment: Assessment, verdict: CnilVerdict) -> str:
    """A few lines: verdict, zxcvbn score, estimate, warning and advice."""
    lines = [
        verdict.summary,
        f"  Note zxcvbn : {assessment.score}/4 ({SCORE_WORDS[assessment.score]}) ; "
        f"essais estimés : 2^{decimal(assessment.guesses_log2)} ; entropie retenue : "
        f"{decimal(assessment.cnil_bits)} bits (seuil : {verdict.required_bits}).",
    ]
    if assessment.warning:
        lines.append(f"  Attention : {assessment.warning}")
    lines += [f"  Conseil : {s}" for s in assessment.suggestions]
    return "\n".join(lines)


def answers_block(tests: Sequence[Assessment]) -> str:
    """The `password_tests:` block of an answers file (empty text when nothing was tested)."""
    if not tests:
        return ""
    data = {PASSWORD_TESTS_KEY: [t.model_dump(mode="json") for t in tests]}
    return BLOCK_HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
