"""Every built-in check: entry point = sidecar key = decorator id; references resolve."""

import tomllib
from pathlib import Path

import pytest

from rgpd_audit import catalog, registry

ROOT = Path(__file__).resolve().parents[2]
SPECS = registry.discover()


def test_entry_points_of_pyproject_are_the_installed_ones() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"][
        registry.GROUP
    ]
    installed = {s.meta.id for s in SPECS if s.entry_point.value.startswith("rgpd_audit.")}
    assert installed == set(declared)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.meta.id)
def test_check_declares_its_own_id_and_cites_known_references(spec: registry.CheckSpec) -> None:
    func = spec.load()
    assert func.check_id == spec.meta.id
    refs = catalog.references().resolve(spec.meta.references, spec.meta.id)
    assert refs and all(r.label for r in refs)
    assert len(spec.meta.remediation) > 80, "la remédiation doit dire concrètement quoi faire"


def test_every_sidecar_entry_has_an_entry_point() -> None:
    ids = {s.meta.id for s in SPECS}
    for sidecar in (ROOT / "checks").glob("*.yaml"):
        for check_id in registry._read_sidecar(sidecar):
            assert check_id in ids, f"{sidecar.name}: {check_id} n'a pas de point d'entrée"


def test_selection_by_category_pattern_and_skip() -> None:
    chosen = registry.select(SPECS, ["messagerie"], ["mail.tls.*"])
    ids = {s.meta.id for s in chosen}
    assert "mail.starttls.offered" in ids and "mail.tls.certificate" not in ids
    assert "mail.provider.consumer" not in ids


def test_selector_matching_nothing_is_an_input_error() -> None:
    from rgpd_audit.errors import InputError

    with pytest.raises(InputError, match=r"--only mail\.sp"):
        registry.select(SPECS, ["mail.sp"], [])


def test_a_family_name_selects_every_check_below_it() -> None:
    ids = {s.meta.id for s in registry.select(SPECS, ["mail.dkim"], [])}
    assert ids == {s.meta.id for s in SPECS if s.meta.id.startswith("mail.dkim.")}
    assert ids and "mail.dmarc.present" not in ids


def test_data_files_validate_and_are_dated() -> None:
    for snapshot in (catalog.references().snapshot, catalog.providers().snapshot):
        assert snapshot.retrieved[:4].isdigit()
    table = catalog.scoring_table()
    assert set(table.severity_weights) == {"info", "low", "medium", "high", "critical"}
    assert [s.min for s in table.grades] == sorted((s.min for s in table.grades), reverse=True)


def test_provider_matching_is_by_whole_label() -> None:
    providers = catalog.providers()
    assert providers.by_mx_host("ALT1.ASPMX.L.GOOGLE.COM.").id == "google-workspace"
    assert providers.by_mx_host("notgmail-smtp-in.l.google.com.evil.fr") is None
    assert providers.by_address_domain("dupont.medecin.mssante.fr").kind == "health"
    assert providers.by_address_domain("gmail.com").kind == "consumer"


def test_skipping_every_check_is_an_input_error() -> None:
    from rgpd_audit.errors import InputError

    with pytest.raises(InputError, match="plus aucun contrôle"):
        registry.select(SPECS, [], ["*"])
