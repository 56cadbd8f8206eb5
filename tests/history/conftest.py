"""History databases for the tests: a SQLite file, and a fresh database on the real
PostgreSQL server that `.ci/run` starts (its URL in RGPD_AUDIT_TEST_POSTGRES_URL)."""

import os
import secrets
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from rgpd_audit.models import AuditResult, Basis, Finding, Severity, Status, Target, Verdict

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


def finding(
    check_id: str,
    status: str,
    *,
    subject: str | None = None,
    severity: str = "high",
    counts_as: str | None = None,
) -> Finding:
    return Finding(
        check_id=check_id,
        title=f"Titre de {check_id}",
        status=Status(status),
        severity=Severity(severity),
        category="messagerie",
        subject=subject,
        summary="…",
        remediation="…",
        basis=Basis.OBLIGATION,
        counts_as=counts_as,
    )


def audit(
    when: str, findings: list[Finding], *, domain: str = "cabinet-dupont.fr", grade: str = "C"
) -> AuditResult:
    failed = sum(1 for f in findings if f.status is Status.FAIL)
    return AuditResult(
        tool_version="0.1.0",
        target=Target(domain=domain, practice_name="Cabinet du Dr Dupont", profile="medecin"),
        started_at=datetime.fromisoformat(when),
        findings=findings,
        answers={"q.cabinet.ville": "Lyon"},
        questionnaire="sante 1",
        verdict=Verdict(
            grade=grade, security_score=80, unmet_obligations=failed, failed_controls=failed
        ),
    )


@pytest.fixture
def builders() -> SimpleNamespace:
    """`builders.audit(...)` and `builders.finding(...)`: small audits for the store tests."""
    return SimpleNamespace(audit=audit, finding=finding)
