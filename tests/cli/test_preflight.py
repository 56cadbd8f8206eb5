"""What is refused before any network work, with which message."""

from pathlib import Path

import pytest

from rgpd_audit import preflight
from rgpd_audit.config import RunConfig, parse_nameserver
from rgpd_audit.errors import InputError, NetworkUnusable
from rgpd_audit.lab import Lab


def test_formats() -> None:
    assert preflight.parse_formats(" PDF, json ") == ["pdf", "json"]
    for bad in ("", "docx", "pdf,,x"):
        with pytest.raises(InputError, match="formats possibles"):
            preflight.parse_formats(bad)


def test_output_must_be_a_writable_folder(tmp_path: Path) -> None:
    new = tmp_path / "a" / "b"
    assert preflight.usable_output(new) == new
    a_file = tmp_path / "fichier"
    a_file.write_text("x")
    with pytest.raises(InputError, match="n'est pas un dossier"):
        preflight.usable_output(a_file)


def test_nonexistent_domain_is_a_typo_but_unreachable_dns_is_the_network(lab: Lab) -> None:
    config = RunConfig(nameservers=(parse_nameserver(lab.nameserver),), timeout=2)
    preflight.ensure_domain_exists("cabinet-conforme.fr", config)
    with pytest.raises(InputError, match="n'existe pas dans le DNS"):
        preflight.ensure_domain_exists("cabinet-inconnu.cabinet-conforme.fr", config)
    # A dead resolver is the network's problem, never reported as a typo in the domain.
    dead = RunConfig(nameservers=(parse_nameserver("127.0.0.1:9"),), timeout=0.3)
    with pytest.raises(NetworkUnusable, match="aucune réponse du résolveur"):
        preflight.ensure_domain_exists("cabinet-conforme.fr", dead)


def test_unknown_profile() -> None:
    assert preflight.check_profile("medecin") == "medecin"
    with pytest.raises(InputError, match="profil inconnu"):
        preflight.check_profile("veterinaire")


@pytest.mark.parametrize(
    ("timeout", "deadline"), [(float("nan"), 10), (0, 10), (5, float("inf")), (1000, 10), (5, -1)]
)
def test_durations_must_be_finite_and_bounded(timeout: float, deadline: float) -> None:
    with pytest.raises(InputError, match="durée en secondes"):
        preflight.check_durations(timeout, deadline)
