"""What is kept of a tested password: derived data only, never the password or a part of it.

The same model is written to answers files (key `password_tests`), printed by
`rgpd-audit password --format json` and read back by the `auth.password.strength` check.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

#: Key of the results in answers files.
PASSWORD_TESTS_KEY = "password_tests"

#: CNIL 2022-100 cases: password alone (1), with attempts limited (2), device code (3).
CaseId = Literal["seul", "essais_limites", "code_appareil"]


class Assessment(BaseModel):
    """Strength of one password, as estimated by zxcvbn with the French list."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(
        min_length=1, max_length=80, description="Compte concerné (ex. « Logiciel métier »)"
    )
    case: CaseId = Field(description="Cas de la délibération CNIL 2022-100 retenu")
    score: int = Field(ge=0, le=4, description="Note zxcvbn, de 0 (très faible) à 4")
    guesses: float = Field(ge=1, description="Nombre d'essais estimé pour le deviner")
    guesses_log2: float = Field(ge=0, description="log2 du nombre d'essais (bits)")
    cnil_bits: float = Field(
        ge=0,
        description="Entropie au sens de la CNIL (longueur × log2 de l'alphabet), plafonnée "
        "par l'estimation de zxcvbn pour les parties devinables",
    )
    predictable: bool = Field(
        description="Repose surtout sur un mot courant, un nom, une date ou une suite de touches"
    )
    practice_word: bool = Field(
        description="Contient une information publique sur le cabinet (nom, ville, praticien)"
    )
    warning: str | None = Field(None, description="Avertissement (français)")
    suggestions: list[str] = Field(default_factory=list, description="Conseils (français)")
