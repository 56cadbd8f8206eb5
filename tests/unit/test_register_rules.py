"""The register's rules on activities built in memory: durations, bases, article 9, DPIA."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rgpd_audit.register import Activity, Location, Processor, Register, dpia_required, validate
from rgpd_audit.register import rules as r
from rgpd_audit.register.content import layout, retention_rules, starter
from rgpd_audit.register.durations import candidate_totals, describe_months, durations_in_months
from rgpd_audit.register.text import fold, header_key

COMPLETE = {
    "name": "Gestion des rendez-vous",
    "controller": "Dr Dupont",
    "purpose": "Agenda",
    "legal_basis": "Exécution d'un contrat (6.1.b)",
    "health_data": False,
    "persons": "Patients",
    "data_categories": "Identité",
    "recipients": "Secrétariat",
    "transfers": "néant",
    "retention": "1 an",
    "security": "Mots de passe",
    "processors": [Processor(name="Agenda en ligne", contract=True)],
    "dpia": "not_required",
}


def register(**changes: object) -> Register:
    activity = Activity(location=Location(sheet="Registre", row=2), **{**COMPLETE, **changes})
    return Register(source="registre.xlsx", file_format="xlsx", activities=[activity])


def messages(found: Register, needs_dpia: bool | None = None) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for issue in validate(found, needs_dpia).issues:
        result.setdefault(issue.rule, []).append(issue.message)
    return result


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("20 ans", [240]),
        ("5 ans en base active, puis 15 ans en archives", [60, 180]),
        ("3 mois (art. R.161-47 CSS)", [3]),
        ("trois mois", [3]),
        ("1,5 an", [18]),
        ("6 mois à 1 an", [6, 12]),
        ("90 jours", [pytest.approx(2.957, abs=0.01)]),
        ("jusqu'à la fin de la relation", []),
        ("20", []),
        ("en 2020 3 mois", [3]),
    ],
)
def test_durations_in_french(text: str, months: list[float]) -> None:
    assert durations_in_months(text) == months


def test_sums_and_descriptions_of_durations() -> None:
    assert candidate_totals([60, 180]) == [60, 180, 240]
    assert candidate_totals([3]) == [3]
    assert describe_months(240) == "20 ans"
    assert describe_months(18) == "1 an et 6 mois"
    assert describe_months(3) == "3 mois"


def test_folding_and_header_keys() -> None:
    assert fold("  Base LÉGALE ") == "base legale"
    assert header_key("Données de santé (oui/non)") == header_key("donnees de SANTE")
    assert header_key("Finalités") == header_key("finalite")


def test_a_complete_activity_has_no_issue() -> None:
    assert messages(register()) == {}


@pytest.mark.parametrize(
    "basis", ["Obligation légale", "art. 6.1.e", "intérêt légitime du cabinet", "CONSENTEMENT"]
)
def test_recognised_legal_bases(basis: str) -> None:
    assert r.LEGAL_BASIS not in messages(register(legal_basis=basis))


def test_an_unknown_legal_basis_lists_article_6() -> None:
    (message,) = messages(register(legal_basis="usage"))[r.LEGAL_BASIS]
    assert "« usage » non reconnue" in message and "6.1.c — obligation légale" in message


def test_health_data_needs_an_article_9_exception() -> None:
    assert messages(register(health_data=True))[r.ART9] == [
        "données de santé sans exception de l'article 9.2 indiquée"
    ]
    assert r.ART9 not in messages(register(health_data=True, art9_exception="art. 9.2.h"))
    assert "non reconnue" in messages(register(health_data=True, art9_exception="9.5"))[r.ART9][0]
    assert "ne dit pas" in messages(register(health_data=None))[r.ART9][0]


def test_transfers_need_safeguards_and_none_means_none() -> None:
    assert r.TRANSFERS not in messages(register(transfers="Aucun transfert"))
    assert r.TRANSFERS in messages(register(transfers="Canada"))
    assert r.TRANSFERS not in messages(
        register(transfers="Canada", transfer_safeguards="Décision d'adéquation")
    )


def test_placeholders_count_as_missing() -> None:
    found = messages(register(controller="À COMPLÉTER", security="?", recipients="à préciser"))
    assert len(found[r.ART30]) == 3
    assert not layout().is_blank("Sous-traitants : aucun")


def test_processors_none_unknown_and_without_contract() -> None:
    assert r.PROCESSORS not in messages(register(processors=[]))
    assert "non indiqués" in messages(register(processors=None))[r.PROCESSORS][0]
    assert messages(register(processors=[Processor(name="X", contract=False)]))[r.PROCESSORS] == [
        "X : pas de contrat de sous-traitance (art. 28)"
    ]


def test_retention_compared_only_for_known_activities() -> None:
    assert validate(register(retention="50 ans")).retention == []
    patient = register(name="Dossiers patients", retention="5 ans puis 15 ans")
    (verdict,) = validate(patient).retention
    assert verdict.conforms and verdict.rule.code == "dossier-patient"
    too_long = messages(register(name="Dossiers patients", retention="30 ans"))[r.RETENTION][0]
    assert "30 ans" in too_long and "20 ans" in too_long
    # The code wins over words of the name: a « journalisation » row coded otherwise is not one.
    assert validate(register(name="Journalisation", code="autre", retention="5 ans")).complete


def test_dpia_threshold_from_the_questionnaire() -> None:
    health = {"health_data": True, "art9_exception": "9.2.h"}
    assert r.DPIA not in messages(register(**health), needs_dpia=None)
    assert "10000 patients" in messages(register(**health), needs_dpia=True)[r.DPIA][0]
    assert r.DPIA not in messages(register(**health, dpia="done"), needs_dpia=True)
    assert messages(register(dpia="planned"))[r.DPIA] == ["analyse d'impact à réaliser"]


def test_dpia_required_reads_the_answers() -> None:
    assert dpia_required({}) is None
    assert dpia_required({"q.cabinet.structure": "individuel"}) is False
    shared = {"q.cabinet.structure": "groupe_si_commun"}
    assert dpia_required(shared) is None
    assert dpia_required({**shared, "q.cabinet.patients_par_an": 12000}) is True
    assert dpia_required({**shared, "q.cabinet.patients_par_an": 10000}) is False


def test_data_files_are_consistent() -> None:
    codes = {a.code for a in starter().activities}
    assert {rule.code for rule in retention_rules().rules} <= codes
    assert set(starter().profiles) == {"medecin", "paramedical", "cabinet-groupe"}


@given(st.text(max_size=200))
def test_durations_never_raise(text: str) -> None:
    assert all(months > 0 or months == 0 for months in durations_in_months(text))


def test_retention_rules_cite_known_references() -> None:
    from rgpd_audit import catalog

    for rule in retention_rules().rules:
        assert catalog.references().resolve(rule.references, rule.code)


def test_a_code_left_to_complete_falls_back_to_the_name() -> None:
    found = validate(register(name="Dossiers patients", code="à compléter", retention="20 ans"))
    assert [v.rule.code for v in found.retention] == ["dossier-patient"]
