"""Shared fixtures: one loopback lab for the whole session."""

from collections.abc import Iterator

import pytest

from rgpd_audit.lab import Lab, start_lab


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    with start_lab() as running:
        yield running


@pytest.fixture(scope="session")
def lab_args(lab: Lab) -> list[str]:
    """CLI options pointing every network operation at the lab."""
    return [*lab.cli_args(), "--timeout", "2"]
