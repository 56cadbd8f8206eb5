"""Which history database a command uses: `--db URL`, else SQLite in the user data directory.

One function, `resolve`, so that every command that reads or writes the history (`run`,
`demo`, `history`, `diff`, `db upgrade`, and later `batch` and the consultant's config file)
understands `--db` the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rgpd_audit.errors import InputError

#: Environment variable read when `--db` is not given (a firm sets it once per workstation).
DB_ENV = "RGPD_AUDIT_DB"
HISTORY_FILE = "historique.sqlite3"
#: `rgpd-audit demo` records the fictitious practice apart, never in the real history.
DEMO_HISTORY_FILE = "historique-demo.sqlite3"

_POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


@dataclass(frozen=True)
class HistoryLocation:
    """A history database: its SQLAlchemy URL, and how to name it to the user."""

    url: str
    #: The URL without its password, or the SQLite file's path.
    label: str
    #: The SQLite file, None for a server.
    sqlite_path: Path | None

    @property
    def is_sqlite(self) -> bool:
        """Whether the history is an embedded SQLite file (migrated automatically)."""
        return self.sqlite_path is not None


def default_path(*, demo: bool = False) -> Path:
    """The SQLite history in the user data directory (`$RGPD_AUDIT_DATA_DIR` if set)."""
    from rgpd_audit.hds.store import data_dir

    return data_dir() / (DEMO_HISTORY_FILE if demo else HISTORY_FILE)


def resolve(db: str | None, *, demo: bool = False) -> HistoryLocation:
    """The database `--db` names (a PostgreSQL or SQLite URL), else the default SQLite file.

    Raises `InputError` for anything else, quoting the URL without its password.
    """
    if not db:
        path = default_path(demo=demo)
        return HistoryLocation(f"sqlite+pysqlite:///{path}", str(path), path)
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(db)
    except ArgumentError:
        raise InputError(
            "--db : adresse de base invalide (attendu : postgresql://utilisateur@serveur/base "
            "ou sqlite:///chemin/historique.sqlite3)"
        ) from None
    if url.drivername in _POSTGRES_SCHEMES:
        # psycopg 3 is the driver shipped with the tool, whatever the URL's scheme says.
        url = url.set(drivername="postgresql+psycopg")
        return HistoryLocation(
            url.render_as_string(hide_password=False),
            url.render_as_string(hide_password=True),
            None,
        )
    if url.drivername in ("sqlite", "sqlite+pysqlite"):
        if not url.database or url.database == ":memory:":
            raise InputError("--db : une base SQLite doit être un fichier (sqlite:///chemin)")
        path = Path(url.database).expanduser()
        return HistoryLocation(f"sqlite+pysqlite:///{path}", str(path), path)
    raise InputError(
        f"--db : base « {url.drivername} » non prise en charge (PostgreSQL ou SQLite attendu)"
    )
