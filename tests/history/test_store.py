"""The store on real databases: SQLite always, PostgreSQL when `.ci/run` started one."""

import os
import stat
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from rgpd_audit.history.connect import create_history_engine
from rgpd_audit.history.errors import HistoryUnavailable
from rgpd_audit.history.location import resolve
from rgpd_audit.history.migrate import HEAD, MIGRATIONS_DIR, current_revision, upgrade
from rgpd_audit.history.store import HistoryStore


def open_store(url: str) -> HistoryStore:
    location = resolve(url)
    if not location.is_sqlite:
        # A server is migrated by `db upgrade`, never behind a consultant's back.
        upgrade(create_history_engine(location))
    return HistoryStore.open(location)


def test_head_is_the_newest_alembic_revision() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_heads() == [HEAD]


def test_record_list_and_load(db_url: str, builders: SimpleNamespace) -> None:
    store = open_store(db_url)
    with store.engine.connect() as connection:
        assert current_revision(connection) == HEAD
    first = builders.audit("2025-03-10T09:00:00+01:00", [builders.finding("a.b", "fail")])
    second = builders.audit(
        "2026-03-10T09:00:00+01:00", [builders.finding("a.b", "pass")], grade="A"
    )
    other = builders.audit("2025-06-01T09:00:00+00:00", [], domain="autre-cabinet.fr")
    ids = [store.record(result) for result in (second, first, other)]
    entries = store.entries("cabinet-dupont.fr")
    assert [e.id for e in entries] == [ids[1], ids[0]]
    assert [e.grade for e in entries] == ["C", "A"]
    assert entries[0].date == datetime(2025, 3, 10, 8, 0, tzinfo=UTC)
    assert entries[0].unmet_obligations == 1 and entries[0].findings == 1
    assert len(store.entries()) == 3
    assert store.load(ids[1]) == first
    assert store.load(999_999) is None
    answers = store.latest_answers("cabinet-dupont.fr")
    assert answers is not None and answers.audit_id == ids[0]
    assert answers.values == {"q.cabinet.ville": "Lyon"} and answers.profile == "medecin"
    with store.engine.connect() as connection:
        keys = connection.execute(text("SELECT control, status FROM findings")).all()
    assert sorted(keys) == [("a.b", "fail"), ("a.b", "pass")]


def test_purge_by_date_and_by_domain(db_url: str, builders: SimpleNamespace) -> None:
    store = open_store(db_url)
    for when, domain in [
        ("2023-01-05T10:00:00+00:00", "cabinet-dupont.fr"),
        ("2024-01-05T10:00:00+00:00", "cabinet-dupont.fr"),
        ("2025-01-05T10:00:00+00:00", "cabinet-dupont.fr"),
        ("2023-01-05T10:00:00+00:00", "autre-cabinet.fr"),
    ]:
        store.record(builders.audit(when, [builders.finding("a.b", "fail")], domain=domain))
    cutoff = datetime(2024, 6, 1, tzinfo=UTC)
    assert store.purge(before=cutoff, domain=None, dry_run=True) == 3
    assert len(store.entries()) == 4
    assert store.purge(before=cutoff, domain="cabinet-dupont.fr") == 2
    assert [e.domain for e in store.entries()] == ["autre-cabinet.fr", "cabinet-dupont.fr"]
    assert store.purge(before=None, domain="autre-cabinet.fr") == 1
    with store.engine.connect() as connection:
        left = connection.execute(text("SELECT count(*) FROM findings")).scalar()
    assert left == 1


def test_sqlite_history_is_private_even_with_a_lax_umask(tmp_path: Path) -> None:
    path = tmp_path / "donnees" / "historique.sqlite3"
    old = os.umask(0o022)
    try:
        HistoryStore.open(resolve(f"sqlite:///{path}"))
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    location = resolve(f"sqlite:///{tmp_path / 'h.sqlite3'}")
    store = HistoryStore.open(location)
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(HistoryUnavailable, match="version plus récente"):
        HistoryStore.open(location)


def test_postgres_must_be_upgraded_explicitly(postgres_url: str) -> None:
    location = resolve(postgres_url)
    with pytest.raises(HistoryUnavailable, match="db upgrade"):
        HistoryStore.open(location)
    assert upgrade(create_history_engine(location)) is None
    assert upgrade(create_history_engine(location)) == HEAD
    HistoryStore.open(location)


def test_password_never_shown(postgres_url: str) -> None:
    location = resolve(postgres_url.replace("rgpd@", "rgpd:motdepasse@", 1))
    assert "motdepasse" not in location.label
    unreachable = resolve("postgresql://rgpd:motdepasse@127.0.0.1:1/base")
    with pytest.raises(HistoryUnavailable) as caught:
        HistoryStore.open(unreachable)
    assert "motdepasse" not in str(caught.value) and "injoignable" in str(caught.value)
