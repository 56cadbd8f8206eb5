"""CNIL 2022-100 verdicts: a tested password against the threshold of its case.

Bits are compared after rounding to the nearest integer, as the CNIL does when it presents
12 characters over 99 symbols (79.6 bits) as meeting its 80-bit example.
"""

from __future__ import annotations

import math

from pydantic import BaseModel

from rgpd_audit.password.catalogs import cnil_rules
from rgpd_audit.password.results import Assessment, CaseId


class CnilVerdict(BaseModel):
    """Whether a password meets its CNIL case, and what is missing in French."""

    case: CaseId
    case_number: int
    case_label: str
    required_bits: int
    bits: float
    compliant: bool
    summary: str
    missing: list[str]


def decimal(value: float) -> str:
    """`value` with one decimal, French style (47,6)."""
    return f"{value:.1f}".replace(".", ",")


def meets(bits: float, required: int) -> bool:
    """`bits` reach `required` once rounded to the nearest integer."""
    return math.floor(bits + 0.5) >= required


def entropy(length: int, alphabet: int) -> float:
    """CNIL formula: length × log2(alphabet size)."""
    return length * math.log2(alphabet) if length > 0 and alphabet > 1 else 0.0


def judge(assessment: Assessment) -> CnilVerdict:
    """The verdict for one tested password; a predictable one fails whatever its length."""
    case = cnil_rules().cases[assessment.case]
    bits = assessment.cnil_bits
    missing: list[str] = []
    if not meets(bits, case.bits):
        missing.append(
            f"il faudrait au moins {case.bits} bits ; ce mot de passe en apporte environ {bits:.0f}"
        )
    if assessment.predictable:
        missing.append(
            "il repose surtout sur un mot courant, un nom, une suite de touches ou une "
            "répétition : il se devine quelle que soit sa longueur"
        )
    if assessment.practice_word:
        missing.append("il contient une information publique sur le cabinet")
    compliant = not missing
    if compliant:
        summary = (
            f"{assessment.label} : conforme au cas n° {case.number} de la CNIL ({case.label}, "
            f"{case.bits} bits) — environ {bits:.0f} bits estimés, note {assessment.score}/4."
        )
    else:
        summary = (
            f"{assessment.label} : non conforme au cas n° {case.number} de la CNIL "
            f"({case.label}) — {' ; '.join(missing)}. Note {assessment.score}/4."
        )
    return CnilVerdict(
        case=assessment.case,
        case_number=case.number,
        case_label=case.label,
        required_bits=case.bits,
        bits=round(bits, 1),
        compliant=compliant,
        summary=summary,
        missing=missing,
    )
