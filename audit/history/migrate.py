"""Schema migrations, run by the tool itself: no alembic.ini, no `alembic` command to learn.

`HEAD` is the revision this version of the tool writes; `ensure_current` upgrades a SQLite
history silently and asks for `rgpd-audit db upgrade` on a PostgreSQL server, where several
consultants' tools of different versions may share one database.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text

from rgpd_audit.history.connect import writer
from rgpd_audit.history.errors import HistoryUnavailable
from rgpd_audit.history.location import HistoryLocation

#: The newest revision in migrations/versions (a test keeps them equal).
HEAD = "0001"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any number: serialises two `db upgrade` on one PostgreSQL server (SQLite has its lock).
_ADVISORY_LOCK = 0x52475044


def current_revision(connection: Connection) -> str | None:
    """The schema revision of the database, None when it has no history tables yet."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine) -> str | None:
    """Bring the database to `HEAD` in one transaction; return the revision it had before."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with writer(engine).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK})
        before = current_revision(connection)
        _refuse_newer(before, None)
        if before != HEAD:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    return before


def ensure_current(engine: Engine, location: HistoryLocation) -> None:
    """Make sure the schema is `HEAD`: upgrade SQLite, explain what to do for a server."""
    with engine.connect() as connection:
        revision = current_revision(connection)
    if revision == HEAD:
        return
    _refuse_newer(revision, location)
    if location.is_sqlite:
        upgrade(engine)
        return
    raise HistoryUnavailable(
        f"base d'historique à créer ou à mettre à jour ({location.label}) : lancez "
        "« rgpd-audit db upgrade --db URL » une fois, avec un compte qui peut créer des tables"
    )


def _refuse_newer(revision: str | None, location: HistoryLocation | None) -> None:
    if revision is not None and revision not in _known_revisions():
        where = f" ({location.label})" if location else ""
        raise HistoryUnavailable(
            f"base d'historique{where} d'une version plus récente de rgpd-audit "
            f"(révision {revision}) : mettez l'outil à jour"
        )


def _known_revisions() -> set[str]:
    # Named by the files, without importing Alembic: each module is `<revision>_<slug>.py`.
    return {p.name.split("_", 1)[0] for p in (MIGRATIONS_DIR / "versions").glob("[0-9]*_*.py")}
