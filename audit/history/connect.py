"""Engines for the history, and the errors of their drivers turned into one French line.

SQLite: the file is created mode 0600 in a 0700 folder before SQLite opens it (its journal
gets the same mode); a writing transaction (`writer`) starts with BEGIN IMMEDIATE, taking the
write lock at the start so that two audits finishing together queue up instead of failing on
a lock upgrade, and waits up to 30 s for the other one; reads stay DEFERRED (an IMMEDIATE read
would hold the write lock and wait for every reader to commit); `secure_delete` overwrites
purged rows.
PostgreSQL: psycopg 3 with a connection timeout, so that an unreachable server fails fast.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from rgpd_audit.files import PRIVATE_FILE_MODE, ensure_private_dir
from rgpd_audit.history.errors import HistoryUnavailable
from rgpd_audit.history.location import HistoryLocation

#: Seconds an audit waits for another one writing the same SQLite history.
SQLITE_BUSY_TIMEOUT = 30.0
#: Execution option marking a transaction that writes (BEGIN IMMEDIATE on SQLite).
WRITE_OPTION = "rgpd_history_write"
#: Seconds before an unreachable PostgreSQL server is reported.
POSTGRES_CONNECT_TIMEOUT = 10


def create_history_engine(location: HistoryLocation) -> Engine:
    """An engine for `location` (nothing is connected yet, except creating a SQLite file)."""
    if location.sqlite_path is not None:
        with unavailable_as(location):
            _create_private_file(location.sqlite_path)
        engine = create_engine(
            location.url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT},
            # One short-lived process per command: no pool to keep a SQLite lock around.
            poolclass=NullPool,
        )
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(
        location.url,
        connect_args={
            "connect_timeout": POSTGRES_CONNECT_TIMEOUT,
            "application_name": "rgpd-audit",
        },
        poolclass=NullPool,
    )


@contextmanager
def unavailable_as(location: HistoryLocation) -> Iterator[None]:
    """Turn database and file errors into `HistoryUnavailable` naming `location`."""
    try:
        yield
    except DBAPIError as exc:
        raise HistoryUnavailable(_reason(location, exc)) from None
    except SQLAlchemyError as exc:
        raise HistoryUnavailable(
            f"base d'historique inutilisable ({location.label}) : {type(exc).__name__}"
        ) from None
    except OSError as exc:
        raise HistoryUnavailable(
            f"base d'historique inaccessible ({location.label}) : {exc.strerror or exc}"
        ) from None


def _reason(location: HistoryLocation, exc: DBAPIError) -> str:
    # The drivers' own words are English and may quote the server's configuration: only the
    # class of failure is told, with the address (password hidden) to check.
    text = str(exc.orig).lower()
    if location.is_sqlite:
        if "locked" in text or "busy" in text:
            return f"base d'historique occupée par un autre audit ({location.label})"
        return f"base d'historique illisible ({location.label}) : fichier SQLite endommagé ?"
    if "password" in text or "authentication" in text:
        why = "authentification refusée"
    elif "does not exist" in text:
        why = "base ou utilisateur inexistant"
    elif "timeout" in text or "timed out" in text:
        why = "le serveur ne répond pas"
    else:
        why = "connexion impossible"
    return f"base d'historique injoignable ({location.label}) : {why}"


def _create_private_file(path: Path) -> None:
    ensure_private_dir(path.parent)
    # Created 0600 before SQLite opens it: SQLite would otherwise use 0644 minus the umask.
    fd = os.open(path, os.O_CREAT | os.O_RDWR, PRIVATE_FILE_MODE)
    os.close(fd)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Python's sqlite3 opens transactions itself, too late and not for DDL: take it over.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    # A purge (art. 5.1.e) overwrites the deleted rows instead of leaving them in free pages.
    cursor.execute("PRAGMA secure_delete = ON")
    cursor.close()


def writer(engine: Engine) -> Engine:
    """`engine` for a transaction that writes: on SQLite it takes the write lock at BEGIN."""
    return engine.execution_options(**{WRITE_OPTION: True})


def _sqlite_begin(connection: Any) -> None:
    writes = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")
