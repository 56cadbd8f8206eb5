"""Alembic migrations of the history database, run by `rgpd-audit db upgrade` (and
automatically for SQLite); `env.py` takes the connection the tool hands it."""
