"""The audit history: every finished audit of a practice, kept to show what changed since.

Small modules with one job each: `location` (which database), `tables` (the schema, as
SQLAlchemy Core tables), `migrate` (Alembic, run by the tool), `connect` (engines and their
transactions), `store` (record, list, load, purge), `diff` (two audits compared) and
`evolution` (the report's « Évolution depuis le dernier audit »). Nothing here is imported by
`rgpd-audit --help`: SQLAlchemy and Alembic load only in the commands that use the history.
"""
