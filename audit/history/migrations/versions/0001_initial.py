"""Initial history: audits and their findings.

Revision ID: 0001
Revises:
Create Date: 2026-05-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audits",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("domain", sa.String(253), nullable=False),
        sa.Column("practice_name", sa.Text),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tool_version", sa.String(64), nullable=False),
        sa.Column("scope", sa.String(16)),
        sa.Column("grade", sa.String(2)),
        sa.Column("conformity_score", sa.Integer),
        sa.Column("security_score", sa.Integer),
        sa.Column("unmet_obligations", sa.Integer, nullable=False),
        sa.Column("failed_controls", sa.Integer, nullable=False),
        sa.Column("findings_count", sa.Integer, nullable=False),
        sa.Column("questionnaire", sa.Text),
        sa.Column("profile", sa.String(64)),
        sa.Column("answers_json", sa.Text, nullable=False),
        sa.Column("audit_json", sa.Text, nullable=False),
    )
    op.create_index("ix_audits_domain", "audits", ["domain"])
    op.create_index("ix_audits_started_at", "audits", ["started_at"])
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "audit_id",
            sa.Integer,
            sa.ForeignKey("audits.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("control", sa.String(200), nullable=False),
        sa.Column("check_id", sa.String(200), nullable=False),
        sa.Column("subject", sa.Text),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("basis", sa.String(20)),
        sa.Column("title", sa.Text, nullable=False),
    )
    op.create_index("ix_findings_audit_id", "findings", ["audit_id"])


def downgrade() -> None:
    op.drop_table("findings")
    op.drop_table("audits")
