"""A small questionnaire exercising every feature, written to a temporary file per test."""

from collections.abc import Callable
from pathlib import Path

import pytest

from rgpd_audit.questionnaire import Questionnaire, load_questionnaire_file

MINI = """\
id: mini
version: 1.0
title: Mini questionnaire
profiles:
  medecin: Médecin
  telesecretariat: Télésecrétariat
sections:
  - id: s
    title: Section commune
    questions:
      - id: q.s.canal
        text: Par quel canal envoyez-vous les comptes rendus ?
        help: Aide.
        type: single_choice
        choices:
          - {value: mail, label: E-mail ordinaire}
          - {value: mss, label: MSSanté}
        finding_title: Canal des comptes rendus
        scoring:
          - when_answer: mail
            severity: high
            title: Comptes rendus par e-mail ordinaire
            summary: Canal non sécurisé.
            remediation: Utilisez MSSanté.
            references: [rgpd-art32, csp-l1110-4]
      - id: q.s.messagerie
        text: Utilisez-vous une messagerie instantanée ?
        help: Question de tri.
        type: yes_no
      - id: q.s.contenu
        text: Qu'y transmettez-vous ?
        help: Aide.
        type: multi_choice
        choices:
          - {value: logistique, label: Logistique}
          - {value: sante, label: Données de santé}
        when:
          q.s.messagerie: oui
        finding_title: Contenu des messageries
        scoring:
          - when_answer: {contains: sante}
            severity: medium
            title: Données de santé par messagerie instantanée
            remediation: Arrêtez.
            references: [rgpd-art9]
      - id: q.s.patients
        text: Combien de patients par an ?
        help: Aide.
        type: number
        profiles: [medecin]
        finding_title: Volume de patients
        scoring:
          - when_answer: {gt: 10000}
            severity: critical
            title: Beaucoup de patients
            remediation: Désignez un DPO.
            references: [rgpd-art30]
          - when_answer: {gt: 5000}
            severity: low
            title: Pas mal de patients
            remediation: Surveillez.
            references: [rgpd-art30]
      - id: q.s.depuis
        text: Depuis quand ?
        help: Aide.
        type: date
  - id: t
    title: Télésecrétariat
    profiles: [telesecretariat]
    questions:
      - id: q.t.identite
        text: Vérifiez-vous l'identité des appelants ?
        help: Aide.
        type: yes_no
        finding_title: Identité des appelants
        scoring:
          - when_answer: non
            severity: high
            title: Identité non vérifiée
            remediation: Vérifiez.
            references: [rgpd-art5]
        pass:
          title: Identité des appelants vérifiée
          summary: Bonne pratique en place.
"""


def line_of(text: str, needle: str, start: int = 0) -> int:
    """1-based line of the first occurrence of `needle` at or after line `start`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if number >= start and needle in line:
            return number
    raise AssertionError(f"{needle!r} absent")


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write `text` to `tmp_path / name` and return the path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def mini(write: Callable[[str, str], Path]) -> Questionnaire:
    return load_questionnaire_file(write("mini.yaml", MINI))


@pytest.fixture
def mini_text() -> str:
    """Source of the mini questionnaire, to derive broken variants from."""
    return MINI


@pytest.fixture(name="line_of")
def line_of_fixture() -> Callable[..., int]:
    """`line_of(text, needle, start=0)`, as a fixture: test modules cannot import conftest."""
    return line_of
