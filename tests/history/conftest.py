"""History databases for the tests: a SQLite file, and a fresh database on the real
PostgreSQL server that `.ci/run` starts (its URL in RGPD_AUDIT_TEST_POSTGRES_URL)."""

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POSTGRES_ENV = "RGPD_AUDIT_TEST_POSTGRES_URL"
NO_POSTGRES = (
    f"PostgreSQL non testé : {POSTGRES_ENV} absente (bash .ci/run démarre un serveur de test)"
)


def postgres_server() -> str:
    """The test server's URL, or skip the test saying why."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(NO_POSTGRES)
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty database on the test server, dropped afterwards."""
    server = make_url(postgres_server()).set(drivername="postgresql+psycopg")
    name = f"rgpd_test_{secrets.token_hex(6)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each history test runs on both databases the tool supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'historique.sqlite3'}"
    return request.getfixturevalue("postgres_url")
