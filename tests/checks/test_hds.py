"""hosting.hds.* checks with questionnaire answers and inventory files, real list files."""

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import JsonValue
from typer.testing import CliRunner

from rgpd_audit import registry
from rgpd_audit.checks.hds import (
    DeclaredProviderFacts,
    HdsDeclarationsFacts,
    HdsProviderFacts,
    hds_certified,
    hds_consumer_service,
)
from rgpd_audit.cli import app
from rgpd_audit.config import RunConfig
from rgpd_audit.context import CheckContext
from rgpd_audit.engine import run_checks
from rgpd_audit.errors import CheckError, ContentError
from rgpd_audit.hds.inventory import load_inventory
from rgpd_audit.hds.model import CertifiedHost, HostList, HostListSnapshot
from rgpd_audit.hds.store import (
    DATA_DIR_ENV,
    LIST_FILE,
    current_list,
    report_snapshot,
    save_list,
)
from rgpd_audit.models import CheckResult, Status, Target

Check = Callable[[CheckContext], list[CheckResult]]
TODAY = dt.date.today()
ST = "q.sous_traitance."


def official(
    name: str, *, until: dt.date, activities: list[int], referential: str | None = None
) -> CertifiedHost:
    return CertifiedHost(
        legal_name=name,
        activities=activities,
        valid_until=until,
        referential=referential,
        certification_body="Organisme A",
        source_kind="official_list",
        source="https://liste.test/hds.csv",
        verified=True,
    )


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "donnees"
    monkeypatch.setenv(DATA_DIR_ENV, str(directory))
    return directory


@pytest.fixture
def complete_list(data_dir: Path) -> Path:
    hosts = HostList(
        snapshot=HostListSnapshot(
            source="https://liste.test/hds.csv", retrieved="2026-11-20", complete=True
        ),
        hosts=[
            official("Logiciel Santé SAS", until=TODAY + dt.timedelta(days=300), activities=[5]),
            official("Permanence Exemple SARL", until=dt.date(2020, 1, 31), activities=[6]),
            official("Hébergeur Certifié", until=TODAY + dt.timedelta(days=30), activities=[1]),
            official("Sauvegardes Dupont", until=TODAY + dt.timedelta(days=30), activities=[6]),
            official(
                "Messagerie Ancienne",
                until=TODAY + dt.timedelta(days=200),
                activities=[1, 2, 3, 4, 5, 6],
                referential="1.1",
            ),
            official(
                "Messagerie Récente",
                until=TODAY + dt.timedelta(days=200),
                activities=[1, 2, 3, 4, 5, 6],
                referential="2.0",
            ),
        ],
    )
    return save_list(hosts)


def run(
    check: Check, answers: dict[str, JsonValue], inventory: Path | None = None
) -> list[CheckResult]:
    ctx = CheckContext(
        Target(domain="cabinet-exemple.fr"), RunConfig(inventory_file=inventory), answers=answers
    )
    return check(ctx)


def statuses(results: list[CheckResult]) -> list[tuple[str | None, Status]]:
    return [(r.subject, r.status) for r in results]


def looked_up(result: CheckResult) -> HdsProviderFacts:
    assert isinstance(result.facts, HdsProviderFacts)
    return result.facts


def legal_names(facts: HdsProviderFacts) -> list[str]:
    return [m.host.legal_name for m in facts.matches]


def test_technical_audit_alone_is_not_applicable(data_dir: Path) -> None:
    for check in (hds_certified, hds_consumer_service):
        assert statuses(run(check, {})) == [(None, Status.NOT_APPLICABLE)]


def test_open_list_of_providers_asks_through_the_engine(data_dir: Path) -> None:
    # Through the engine, so that the remediation variants named by the checks exist.
    specs = [s for s in registry.discover() if s.meta.id.startswith("hosting.hds.")]
    ctx = CheckContext(
        Target(domain="cabinet-exemple.fr"),
        RunConfig(),
        answers={ST + "prestataires": "je_ne_sais_pas", "q.cabinet.ville": "Lyon"},
    )
    findings = run_checks(ctx, specs).findings
    assert sorted(f.check_id for f in findings) == [
        "hosting.hds.certified",
        "hosting.hds.consumer_service",
    ]
    for finding in findings:
        assert finding.status is Status.INDETERMINATE
        assert finding.error is not None and finding.error.reason == "unanswered"
        assert finding.remediation.startswith("Indiquez")
        assert finding.category == "sous_traitance"


def test_no_provider_is_not_applicable(data_dir: Path) -> None:
    for check in (hds_certified, hds_consumer_service):
        assert statuses(run(check, {ST + "prestataires": []})) == [(None, Status.NOT_APPLICABLE)]


def test_answers_against_the_downloaded_list(complete_list: Path) -> None:
    answers: dict[str, JsonValue] = {
        "q.cabinet.logiciel_metier": "en_ligne",
        ST + "prestataires": [
            "editeur_logiciel",
            "telesecretariat",
            "prise_rdv",
            "teleconsultation",
            "sauvegarde_en_ligne",
        ],
        ST + "editeur_nom": "logiciel sante",
        ST + "telesecretariat_nom": "Permanence Exemple",
        # rdv_nom left blank: the provider cannot be looked up.
        ST + "teleconsultation_nom": "Télé Inconnue",
        ST + "sauvegarde_nom": "Sauvegardes",
    }
    results = {r.subject: r for r in run(hds_certified, answers)}
    assert {s: r.status for s, r in results.items()} == {
        "prise de rendez-vous en ligne": Status.INDETERMINATE,
        "logiciel sante": Status.PASS,
        "Permanence Exemple": Status.FAIL,
        "Télé Inconnue": Status.FAIL,
        "Sauvegardes": Status.INDETERMINATE,
    }
    passed = looked_up(results["logiciel sante"])
    [certified] = passed.matches
    assert (certified.host.legal_name, certified.kind, certified.host.activities) == (
        "Logiciel Santé SAS",
        "exact",
        [5],
    )
    expired = results["Permanence Exemple"]
    assert expired.remediation_key == "expired"
    assert [m.host.valid_until for m in looked_up(expired).matches] == [dt.date(2020, 1, 31)]
    unknown = results["Télé Inconnue"]
    assert unknown.remediation_key is None and looked_up(unknown).matches == []
    uncertain = results["Sauvegardes"]
    assert uncertain.error is not None and uncertain.error.reason == "unverified"
    assert uncertain.remediation_key == "unverified"
    assert "Sauvegardes Dupont" in legal_names(looked_up(uncertain))
    assert not any(m.match().name_certain for m in looked_up(uncertain).matches)
    unnamed = results["prise de rendez-vous en ligne"]
    assert unnamed.error is not None and unnamed.error.reason == "unanswered"
    assert (passed.host_list.retrieved, passed.host_list.complete) == ("2026-11-20", True)
    assert not passed.host_list.shipped_extract
    # The report names the list it relied on (a complete one, of that date).
    evidence = {e.label: e.value for e in results["logiciel sante"].evidence}
    assert "liste complète du 2026-11-20" in str(evidence["Liste des hébergeurs certifiés"])


def test_backup_provider_must_be_certified_for_backup(complete_list: Path) -> None:
    def backup(name: str) -> CheckResult:
        answers: dict[str, JsonValue] = {
            ST + "prestataires": ["sauvegarde_en_ligne"],
            ST + "sauvegarde_nom": name,
        }
        (result,) = run(hds_certified, answers)
        return result

    assert backup("Sauvegardes Dupont").status is Status.PASS
    wrong_scope = backup("Logiciel Santé")
    assert wrong_scope.status is Status.INDETERMINATE
    assert wrong_scope.remediation_key == "unverified"
    assert looked_up(wrong_scope).provider.activity == 6
    # The activity is named as the ANS names it: the reader must know what to ask for.
    assert "ne mentionne pas l'activité 6 (Sauvegarde des données de santé)" in (
        wrong_scope.summary
    )


def _mailbox(name: str) -> list[CheckResult]:
    answers: dict[str, JsonValue] = {
        ST + "prestataires": ["messagerie_pro"],
        ST + "messagerie_nom": name,
    }
    return run(hds_certified, answers)


def test_practice_mailbox_provider_is_looked_up_like_the_others(complete_list: Path) -> None:
    [recent] = _mailbox("Messagerie Récente")
    assert recent.status is Status.PASS
    assert looked_up(recent).provider.role.startswith("messagerie professionnelle")
    [unknown] = _mailbox("Courrier Inconnu")
    assert unknown.status is Status.FAIL and unknown.remediation_key is None
    assert looked_up(unknown).matches == [] and looked_up(unknown).host_list.complete


def test_certificate_on_the_2018_referential_is_to_confirm(complete_list: Path) -> None:
    [old] = _mailbox("Messagerie Ancienne")
    assert old.status is Status.INDETERMINATE and old.remediation_key == "referential_2018"
    assert [m.host.referential for m in looked_up(old).matches] == ["1.1"]
    # The end of the transition period is unknown: the words must not claim either way.
    assert "n'a pas pu être vérifiée : à confirmer auprès de l'hébergeur" in old.summary


def test_consumer_mailbox_named_in_the_answers_is_a_consumer_service(data_dir: Path) -> None:
    answers: dict[str, JsonValue] = {
        ST + "prestataires": ["messagerie_pro"],
        ST + "messagerie_nom": "Gmail",
    }
    [found] = run(hds_consumer_service, answers)
    assert found.status is Status.FAIL and found.subject == "Gmail"
    assert isinstance(found.facts, DeclaredProviderFacts)
    assert found.facts.consumer_service is not None
    assert found.facts.consumer_service.kind == "mail"


def test_local_software_and_no_health_data_are_skipped(complete_list: Path) -> None:
    answers: dict[str, JsonValue] = {
        "q.cabinet.logiciel_metier": "local",
        ST + "prestataires": ["editeur_logiciel", "stockage_en_ligne"],
        ST + "editeur_nom": "Inconnu",
        ST + "cloud_nom": "Autre Inconnu",
        ST + "cloud_hds": "sans_donnees_sante",
    }
    [skipped] = run(hds_certified, answers)
    assert (skipped.subject, skipped.status) == (None, Status.NOT_APPLICABLE)
    assert isinstance(skipped.facts, HdsDeclarationsFacts) and skipped.facts.providers == []


def test_shipped_extract_never_concludes(data_dir: Path) -> None:
    answers: dict[str, JsonValue] = {
        ST + "prestataires": ["stockage_en_ligne", "sauvegarde_en_ligne"],
        ST + "cloud_nom": "AWS",
        ST + "sauvegarde_nom": "Doctolib",
    }
    results = {r.subject: r for r in run(hds_certified, answers)}
    assert {s: r.status for s, r in results.items()} == {
        "AWS": Status.INDETERMINATE,
        "Doctolib": Status.INDETERMINATE,
    }
    aws = looked_up(results["AWS"])
    assert aws.host_list.shipped_extract and not aws.host_list.complete
    [claim] = aws.matches
    assert claim.host.legal_name == "Amazon Web Services" and not claim.host.verified
    assert looked_up(results["Doctolib"]).matches == []
    # A vendor's claim is never worded as a certificate, an absence never as a proof.
    assert "à confirmer dans la liste de l'ANS" in results["AWS"].summary
    assert "cette absence ne prouve rien" in results["Doctolib"].summary
    assert all(r.remediation_key == "unverified" for r in results.values())


def test_consumer_services_are_critical(data_dir: Path) -> None:
    answers: dict[str, JsonValue] = {
        ST + "prestataires": ["stockage_en_ligne", "sauvegarde_en_ligne"],
        ST + "cloud_nom": "Dropbox (compte perso)",
        ST + "sauvegarde_nom": "Google Drive",
    }
    failed = run(hds_consumer_service, answers)
    assert statuses(failed) == [
        ("Dropbox (compte perso)", Status.FAIL),
        ("Google Drive", Status.FAIL),
    ]
    services = [
        r.facts.consumer_service for r in failed if isinstance(r.facts, DeclaredProviderFacts)
    ]
    assert [(s.id, s.kind) for s in services if s] == [
        ("dropbox", "storage"),
        ("google-drive", "storage"),
    ]
    assert "doivent être considérées comme hébergées hors HDS" in failed[0].summary
    # The same providers are left to the consumer check by the certification check.
    assert statuses(run(hds_certified, answers)) == [(None, Status.NOT_APPLICABLE)]


def test_professional_offer_is_not_a_consumer_service(data_dir: Path) -> None:
    answers: dict[str, JsonValue] = {
        ST + "prestataires": ["stockage_en_ligne"],
        ST + "cloud_nom": "Dropbox Business",
    }
    (result,) = run(hds_consumer_service, answers)
    assert result.status is Status.PASS
    assert isinstance(result.facts, HdsDeclarationsFacts)
    [business] = result.facts.providers
    assert (business.name, business.consumer_service) == ("Dropbox Business", None)


INVENTORY = """\
providers:
  - name: "Logiciel Sans Certificat"
    service: "logiciel métier en ligne"
    data: "dossiers des patients"
    host: "Hébergeur Certifié SAS"
  - name: "Comptable Martin"
    service: "comptabilité"
    data: "factures, sans données de santé"
    health_data: false
  - name: "Gmail"
    service: "messagerie du secrétariat"
    data: "comptes rendus reçus en pièce jointe"
  - name: "Logiciel Santé"
    service: "logiciel métier en ligne"
    data: "dossiers des patients"
"""


def test_inventory(complete_list: Path, tmp_path: Path) -> None:
    inventory = tmp_path / "inventaire.yaml"
    inventory.write_text(INVENTORY, encoding="utf-8")
    results = {r.subject: r for r in run(hds_certified, {}, inventory)}
    assert {s: r.status for s, r in results.items()} == {
        "Logiciel Sans Certificat": Status.INDETERMINATE,
        "Logiciel Santé": Status.PASS,
    }
    hosted = looked_up(results["Logiciel Sans Certificat"])
    assert hosted.provider.host == "Hébergeur Certifié SAS"
    assert [m.host.legal_name for m in hosted.declared_host_matches] == ["Hébergeur Certifié"]
    assert results["Logiciel Sans Certificat"].remediation_key == "unverified"
    (consumer,) = run(hds_consumer_service, {}, inventory)
    assert (consumer.subject, consumer.status) == ("Gmail", Status.FAIL)
    assert isinstance(consumer.facts, DeclaredProviderFacts)
    assert consumer.facts.declared_in.endswith("inventaire.yaml, ligne 10")
    assert any("inventaire.yaml, ligne 10" in str(e.value) for e in consumer.evidence)


def test_answers_and_inventory_name_the_same_provider_once(
    complete_list: Path, tmp_path: Path
) -> None:
    inventory = tmp_path / "inventaire.yaml"
    inventory.write_text(INVENTORY, encoding="utf-8")
    answers: dict[str, JsonValue] = {
        ST + "prestataires": ["telesecretariat"],
        ST + "telesecretariat_nom": "LOGICIEL SANTÉ",
    }
    subjects = [r.subject for r in run(hds_certified, answers, inventory)]
    assert sorted(subjects, key=str.casefold) == [
        "Logiciel Sans Certificat",
        "LOGICIEL SANTÉ",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("providers:\n  - name: X\n    service: Y\n", "ligne 2, champ providers[0].data : champ"),
        (
            "providers:\n  - name: X\n    service: Y\n    data: Z\n    sante: oui\n",
            "ligne 5, champ providers[0].sante : champ inconnu",
        ),
        ("providers:\n  - name: '  '\n    service: Y\n    data: Z\n", "texte vide"),
        ("providers: []\n", "au moins 1 élément"),
        ("- name: X\n", "un bloc « providers: »"),
    ],
)
def test_inventory_errors_name_line_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "inventaire.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_inventory(path)
    assert str(caught.value).startswith(str(path))
    assert message in str(caught.value)


def test_run_refuses_a_bad_inventory_before_any_network(tmp_path: Path) -> None:
    path = tmp_path / "inventaire.yaml"
    path.write_text("providers:\n  - name: X\n", encoding="utf-8")
    done = CliRunner().invoke(
        app,
        [
            "run",
            "--domain",
            "cabinet-exemple.fr",
            "--inventory",
            str(path),
            "-o",
            str(tmp_path / "out"),
        ],
    )
    assert done.exit_code == 2
    assert f"Erreur : {path}, ligne 2, champ providers[0].service" in done.output


def test_unreadable_downloaded_list_makes_the_check_indeterminate(data_dir: Path) -> None:
    data_dir.mkdir()
    (data_dir / LIST_FILE).write_text("hosts: 3\n", encoding="utf-8")
    answers: dict[str, JsonValue] = {
        ST + "prestataires": ["telesecretariat"],
        ST + "telesecretariat_nom": "Exemple",
    }
    with pytest.raises(CheckError) as caught:
        run(hds_certified, answers)
    assert caught.value.reason == "unverified"
    assert "liste des hébergeurs certifiés illisible" in caught.value.message
    assert report_snapshot().source.startswith("liste illisible")


def test_report_snapshot_dates_the_list(data_dir: Path, complete_list: Path) -> None:
    snapshot = report_snapshot()
    assert (snapshot.source, snapshot.retrieved) == ("https://liste.test/hds.csv", "2026-11-20")
    complete_list.unlink()
    shipped = report_snapshot()
    assert "extrait partiel" in shipped.source and "rgpd-audit" not in shipped.source


def test_downloaded_list_is_read_once_per_version_of_the_file(
    data_dir: Path, complete_list: Path
) -> None:
    first = current_list()
    # The same file: the list read before is handed again, not parsed and validated anew.
    assert current_list().hosts is first.hosts
    replaced = first.hosts.model_copy(update={"hosts": first.hosts.hosts[:1]})
    save_list(replaced)
    assert [h.legal_name for h in current_list().hosts.hosts] == ["Logiciel Santé SAS"]
