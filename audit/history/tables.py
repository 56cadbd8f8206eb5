"""The history's schema, as SQLAlchemy Core tables (the Alembic revisions create them).

One row per recorded audit with the verdict columns the commands list and compare, the
answers and the whole `audit.json`; one row per finding with its stable key (`control`, the
check or question id a finding counts as, and `subject`), so that a later version can query
findings across audits without parsing JSON.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware instant stored in UTC: SQLite has no time zones, PostgreSQL keeps it."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

audits = Table(
    "audits",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("domain", String(253), nullable=False, index=True),
    Column("practice_name", Text),
    Column("started_at", UTCDateTime, nullable=False, index=True),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("tool_version", String(64), nullable=False),
    Column("scope", String(16)),
    Column("grade", String(2)),
    Column("conformity_score", Integer),
    Column("security_score", Integer),
    Column("unmet_obligations", Integer, nullable=False),
    Column("failed_controls", Integer, nullable=False),
    Column("findings_count", Integer, nullable=False),
    Column("questionnaire", Text),
    Column("profile", String(64)),
    # JSON as text: the same on both databases, and the answers file stays the portable form.
    Column("answers_json", Text, nullable=False),
    Column("audit_json", Text, nullable=False),
)

findings = Table(
    "findings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "audit_id",
        Integer,
        ForeignKey("audits.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("control", String(200), nullable=False),
    Column("check_id", String(200), nullable=False),
    Column("subject", Text),
    Column("status", String(20), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("basis", String(20)),
    Column("title", Text, nullable=False),
)
