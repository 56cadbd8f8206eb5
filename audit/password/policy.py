"""The declared password policy (questionnaire answers) against CNIL 2022-100.

The policy's entropy is computed as the CNIL does: minimum length × log2(number of symbols of
the required character types). Without any required type, a password made of digits only is
accepted, so the policy guarantees no more than 10 symbols. Not forcing periodic renewal is
not a defect (CNIL 2022, ANSSI 2021): renewal is not asked.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from pydantic import JsonValue

from rgpd_audit.models import CheckResult, ErrorInfo, Evidence, Severity, Status
from rgpd_audit.password.catalogs import cnil_rules
from rgpd_audit.password.cnil import decimal, entropy, meets
from rgpd_audit.password.results import CaseId

SOFTWARE = "q.cabinet.logiciel_metier"
MODE = "q.acces.mode_connexion"
LENGTH = "q.acces.mdp_longueur"
CLASSES = "q.acces.mdp_classes"
LOCKOUT = "q.acces.mdp_blocage"
DONT_KNOW = "je_ne_sais_pas"
# Smallest alphabet a policy without required types lets a user pick (digits only).
NO_CLASS_ALPHABET = 10
_LIMITED = {"blocage", "temporisation"}


def evaluate_policy(answers: Mapping[str, JsonValue]) -> CheckResult:
    """Compliant / non-compliant with the exact gap, or why it cannot be judged."""
    if not answers:
        return _not_applicable(
            "Pas de questionnaire : la politique de mots de passe déclarée n'est pas évaluée."
        )
    if answers.get(SOFTWARE) == "sans_logiciel":
        return _not_applicable("Pas de logiciel métier : pas de politique de mots de passe.")
    mode = answers.get(MODE)
    if mode == "cps":
        return _not_applicable(
            "Connexion au logiciel métier par carte CPS ou e-CPS : pas de politique de mots de "
            "passe à évaluer."
        )
    if mode == "sans":
        return _not_applicable(
            "Aucune authentification au logiciel métier : voir le constat « Authentification au "
            "logiciel métier »."
        )
    length, classes = answers.get(LENGTH), answers.get(CLASSES)
    if mode not in ("mot_de_passe", "deux_facteurs"):
        return _unanswered("mode de connexion au logiciel métier non renseigné")
    if not isinstance(length, int | float) or isinstance(length, bool):
        return _unanswered("longueur minimale des mots de passe non renseignée")
    if not isinstance(classes, list):
        return _unanswered("types de caractères imposés non renseignés")
    return _judge(int(length), [str(c) for c in classes], answers.get(LOCKOUT), mode)


def _judge(length: int, classes: list[str], lockout: JsonValue, mode: JsonValue) -> CheckResult:
    rules = cnil_rules()
    case_id: CaseId = "essais_limites" if lockout in _LIMITED else "seul"
    case = rules.cases[case_id]
    alphabet = rules.alphabet(classes) if classes else NO_CLASS_ALPHABET
    bits = entropy(length, alphabet)
    types = ", ".join(rules.classes[c].label for c in classes) or "aucun"
    evidence = [
        Evidence(label="Longueur minimale imposée", value=length),
        Evidence(label="Types de caractères imposés", value=types),
        Evidence(label="Alphabet garanti (symboles)", value=alphabet),
        Evidence(label="Entropie de la politique (bits)", value=round(bits, 1)),
        Evidence(label="Limitation des essais", value=_lockout_words(lockout)),
        Evidence(label=f"Seuil CNIL, cas n° {case.number}", value=case.bits),
    ]
    if mode == "deux_facteurs":
        evidence.append(Evidence(label="Second facteur", value="oui"))
    described = (
        f"{length} caractères minimum, types imposés : {types} ({alphabet} symboles), soit "
        f"{decimal(bits)} bits"
    )
    if meets(bits, case.bits):
        return CheckResult(
            status=Status.PASS,
            summary=f"Politique conforme au cas n° {case.number} de la CNIL ({case.label}, "
            f"{case.bits} bits) : {described}.",
            evidence=evidence,
        )
    return CheckResult(
        status=Status.FAIL,
        summary=_gap(length, alphabet, bits, case_id, lockout, described),
        evidence=evidence,
        severity=Severity.LOW if mode == "deux_facteurs" else None,
        remediation_key=case_id,
    )


def _gap(
    length: int, alphabet: int, bits: float, case_id: CaseId, lockout: JsonValue, described: str
) -> str:
    rules = cnil_rules()
    case = rules.cases[case_id]
    needed = _min_length(case.bits, alphabet)
    parts = [
        f"Politique non conforme au cas n° {case.number} de la CNIL ({case.label}, "
        f"{case.bits} bits) : {described}, il manque {decimal(case.bits - bits)} bits.",
        f"Avec les mêmes types imposés, il faudrait {needed} caractères minimum (au lieu de "
        f"{length}). {case.examples.strip()}",
    ]
    if case_id == "seul":
        limited = rules.cases["essais_limites"]
        reached = (
            "que la politique actuelle atteint"
            if meets(bits, limited.bits)
            else f"soit au moins {_min_length(limited.bits, alphabet)} caractères avec les "
            "mêmes types"
        )
        unknown = lockout in (None, DONT_KNOW)
        prefix = "La limitation des essais n'est pas renseignée. " if unknown else ""
        parts.append(
            f"{prefix}Avec un blocage temporaire ou un délai croissant après quelques échecs "
            f"(cas n° {limited.number}), {limited.bits} bits suffiraient, {reached}."
        )
    return " ".join(parts)


def _min_length(bits: int, alphabet: int) -> int:
    # Smallest length whose rounded entropy reaches `bits`.
    return math.ceil((bits - 0.5) / math.log2(alphabet))


def _lockout_words(lockout: JsonValue) -> str:
    return {
        "blocage": "blocage du compte après quelques échecs",
        "temporisation": "délai croissant entre les essais",
        "aucun": "aucune (essais illimités)",
    }.get(str(lockout), "non confirmée")


def _not_applicable(summary: str) -> CheckResult:
    return CheckResult(status=Status.NOT_APPLICABLE, summary=summary)


def _unanswered(what: str) -> CheckResult:
    message = f"Politique de mots de passe non évaluée : {what} dans le questionnaire."
    return CheckResult(
        status=Status.INDETERMINATE,
        summary=message,
        error=ErrorInfo(reason="unanswered", message=message),
    )
