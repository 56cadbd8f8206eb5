"""Alembic environment: the tool passes an open connection, already inside its transaction.

There is no alembic.ini: `rgpd_audit.history.migrate` builds the configuration in code and
puts the connection in `config.attributes["connection"]`, so that the whole upgrade is one
transaction (SQLite and PostgreSQL both have transactional DDL) held under the database's
write lock: two tools upgrading at once cannot both create the tables.
"""

from __future__ import annotations

from alembic import context

from rgpd_audit.history.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite alters tables by copying them; Alembic's batch mode does it for later revisions.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
