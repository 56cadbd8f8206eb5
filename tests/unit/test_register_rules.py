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


# --- Substance: what the cells say, not only that they are filled in (issue 11, point 4) ---

CARE = {
    "name": "Dossiers médicaux des patients",
    "code": "dossier-patient",
    "health_data": True,
    "art9_exception": "Art. 9.2.h (soins), secret professionnel (art. 9.3)",
    "data_categories": "Identité, données de santé",
    "legal_basis": "6.1.c — obligation légale",
}


@pytest.mark.parametrize("basis", ["Consentement du patient", "art. 6.1.a"])
def test_consent_as_the_legal_basis_of_care_is_a_finding(basis: str) -> None:
    (message,) = messages(register(**{**CARE, "legal_basis": basis}))[r.LEGAL_BASIS]
    assert f"« {basis} »" in message
    assert "ne repose pas sur le consentement" in message
    assert "9.2.h" in message and "9.3" in message


def test_care_is_recognised_by_code_or_by_its_whole_name_only() -> None:
    consent = {**CARE, "legal_basis": "consentement"}
    assert r.LEGAL_BASIS in messages(register(**{**consent, "code": None}))
    assert r.LEGAL_BASIS in messages(register(**{**consent, "code": "teleconsultation"}))
    # A name that merely contains « dossier médical » is not the patient record.
    other = {**consent, "code": None, "name": "Photos du dossier médical pour le site"}
    assert r.LEGAL_BASIS not in messages(register(**other))
    # Sharing outside the care team rests on the patient's consent (L.1110-4 CSP).
    assert r.LEGAL_BASIS not in messages(register(**{**consent, "code": "echanges-professionnels"}))
    # Consent stays a valid basis for the appointments of the COMPLETE activity.
    assert r.LEGAL_BASIS not in messages(register(legal_basis="consentement"))


def test_explicit_consent_as_the_article_9_exception_of_care_is_a_finding() -> None:
    exception = "Consentement explicite du patient (9.2.a)"
    (message,) = messages(register(**{**CARE, "art9_exception": exception}))[r.ART9]
    assert f"« {exception} »" in message and "9.2.h" in message and "9.3" in message
    assert r.ART9 not in messages(register(**CARE))
    # Plain « consentement » is no 9.2 wording either: the care finding is the one to give.
    plain = messages(register(**{**CARE, "art9_exception": "Consentement du patient"}))[r.ART9]
    assert "9.2.h" in plain[0] and "non reconnue" not in plain[0]
    both = {**CARE, "art9_exception": "9.2.h ; consentement explicite pour les photos"}
    assert r.ART9 not in messages(register(**both))
    photos = {"name": "Publication de photos", "health_data": True, "art9_exception": exception}
    assert r.ART9 not in messages(register(**photos, data_categories="Photos, données de santé"))


@pytest.mark.parametrize(
    "categories",
    ["Identité, données de santé", "Identité, DONNÉES MÉDICALES", "données relatives à la santé"],
)
def test_health_data_in_the_categories_while_the_flag_says_no(categories: str) -> None:
    (message,) = messages(register(data_categories=categories, health_data=False))[r.ART9]
    assert f"« {categories} »" in message and "non" in message
    issue = next(i for i in validate(register(data_categories=categories)).issues)
    assert issue.column == "data_categories"


@pytest.mark.parametrize(
    "categories",
    ["Identité (pas de données de santé)", "Identité, sans donnée de santé", "Santé publique"],
)
def test_categories_that_exclude_health_data_are_consistent(categories: str) -> None:
    assert r.ART9 not in messages(register(data_categories=categories, health_data=False))


HEALTH_ABROAD = {
    **CARE,
    "code": "teleconsultation",
    "name": "Téléconsultation",
    "transfers": "États-Unis (plateforme de visio)",
    "transfer_safeguards": "Clauses contractuelles types",
}


def test_health_data_transferred_outside_the_eea_is_explained() -> None:
    (message,) = messages(register(**HEALTH_ABROAD))[r.TRANSFERS]
    assert "données de santé" in message and "« États-Unis (plateforme de visio) »" in message
    assert "certifié HDS" in message and "Espace économique européen" in message
    assert "arrêté du 26 avril 2024" in message
    issue = next(i for i in validate(register(**HEALTH_ABROAD)).issues if i.rule == r.TRANSFERS)
    assert issue.column == "transfers"
    # The same transfer of data that are not health data is covered by its safeguards.
    plain = {**HEALTH_ABROAD, "health_data": False, "data_categories": "Identité"}
    assert r.TRANSFERS not in messages(register(**plain))
    # Health data named in the categories count even when the flag says no.
    assert r.TRANSFERS in messages(register(**{**HEALTH_ABROAD, "health_data": False}))


def test_adequacy_decisions_are_named_and_hds_still_applies() -> None:
    dpf = {**HEALTH_ABROAD, "transfer_safeguards": "Société certifiée Data Privacy Framework"}
    (message,) = messages(register(**dpf))[r.TRANSFERS]
    assert "Data Privacy Framework" in message and "10 juillet 2023" in message
    assert "art. 45" in message and "HDS" in message
    swiss = {**HEALTH_ABROAD, "transfers": "Suisse (messagerie chiffrée)"}
    (message,) = messages(register(**swiss))[r.TRANSFERS]
    assert "2000/518/CE" in message and "HDS" in message
    # Without health data: an adequate destination needs no more than its decision, and the
    # decision is what the register should write when the safeguards cell is empty.
    plain = {"data_categories": "Identité", "transfers": "Suisse"}
    (message,) = messages(register(**plain))[r.TRANSFERS]
    assert "sans garanties indiquées" in message and "2000/518/CE" in message
    us = {"data_categories": "Identité", "transfers": "USA"}
    (message,) = messages(register(**us))[r.TRANSFERS]
    assert "Data Privacy Framework" in message and "10 juillet 2023" in message
    assert r.TRANSFERS not in messages(register(**{**us, "transfer_safeguards": "DPF"}))


BILLING = {"name": "Facturation et télétransmission des feuilles de soins", "code": "fse"}


@pytest.mark.parametrize("code", ["fse", None])
def test_billing_records_are_not_judged_by_the_fse_duplicates_rule(code: str | None) -> None:
    billing = register(**{**BILLING, "code": code}, retention="6 ans (pièces comptables)")
    found = validate(billing)
    assert found.retention == [] and found.complete


def test_retention_is_judged_on_the_category_it_names() -> None:
    stated = "3 mois pour les doubles des feuilles de soins électroniques (art. R.161-47 CSS)"
    (verdict,) = validate(register(**BILLING, retention=stated)).retention
    assert verdict.conforms and verdict.rule.code == "fse"
    mixed = "Factures : 6 ans (pièces comptables) ; doubles des FSE : 1 an"
    (message,) = messages(register(**BILLING, retention=mixed))[r.RETENTION]
    assert "(1 an)" in message and "6 ans" not in message and "3 mois" in message
    # A category named inside another activity's cell is judged too, and only that part.
    record = register(**CARE, retention="20 ans ; traces d'accès : 5 ans")
    assert {(v.rule.code, v.conforms) for v in validate(record).retention} == {
        ("dossier-patient", True),
        ("journalisation", False),
    }


def test_a_reworded_message_with_an_unknown_field_is_refused() -> None:
    from pydantic import ValidationError

    from rgpd_audit.register.content import Substance, substance

    data = substance().model_dump()
    data["care"]["legal_basis_message"] = "base « {value} »"
    with pytest.raises(ValidationError, match=r"champ\(s\) inconnu\(s\) value"):
        Substance.model_validate(data)
