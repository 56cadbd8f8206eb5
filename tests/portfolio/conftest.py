"""Helpers of the batch tests: client lists of lab domains, and the batch's lab options."""

from pathlib import Path

import pytest

from rgpd_audit.lab import Lab

HEADER = "domaine;nom;emails;profil;reponses\n"


def client_list(folder: Path, rows: list[str], name: str = "clients.csv") -> Path:
    """A client list (French CSV) with `rows` under the usual header."""
    path = folder / name
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def batch_args(lab: Lab) -> list[str]:
    """Lab options for `batch`: short timeouts, JSON only (the PDF is tested once)."""
    return [*lab.cli_args(), "--timeout", "2", "--format", "json"]
