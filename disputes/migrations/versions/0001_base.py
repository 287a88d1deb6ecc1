"""Base schema: committees, numbering counters, disputes (parties as JSON), history.

Revision ID: 0001
Revises:
Create Date: 2026-03-01
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
        "committees",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("short_name", sa.String(20), nullable=False),
        sa.Column("region", sa.String(200)),
        sa.Column("org_level", sa.String(20)),
        sa.Column("time_limit_days", sa.Integer, nullable=False, server_default="30"),
    )
    op.create_table(
        "dispute_counters",
        sa.Column(
            "committee",
            sa.String(200),
            sa.ForeignKey("committees.name", name="fk_dispute_counters_committee"),
            primary_key=True,
        ),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("last", sa.Integer, nullable=False),
    )
    op.create_table(
        "disputes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "committee",
            sa.String(200),
            sa.ForeignKey("committees.name", name="fk_disputes_committee"),
            nullable=False,
        ),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("serial", sa.Integer, nullable=False),
        sa.Column("number", sa.String(100), nullable=False),
        sa.Column("natural_key", sa.String(64), nullable=False),
        sa.Column("received", sa.Date, nullable=False),
        sa.Column("channel", sa.String(20)),
        sa.Column("dispute_type", sa.String(30), nullable=False),
        sa.Column("region", sa.String(200), nullable=False),
        sa.Column("org_level", sa.String(20)),
        sa.Column("mediator", sa.String(100)),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("claims", sa.Text),
        sa.Column("parties", sa.JSON, nullable=False),
        sa.Column("people_involved", sa.Integer, nullable=False),
        sa.Column("amount", sa.Numeric(16, 2)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("closed_on", sa.Date),
        sa.Column("agreement", sa.JSON, nullable=False),
        sa.Column("follow_up", sa.JSON),
        sa.Column("confirmation", sa.JSON),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "committee", "year", "serial", name="uq_disputes_committee_year_serial"
        ),
        sa.UniqueConstraint("natural_key", name="uq_disputes_natural_key"),
    )
    op.create_index("ix_disputes_committee", "disputes", ["committee"])
    op.create_index("ix_disputes_dispute_type", "disputes", ["dispute_type"])
    op.create_index("ix_disputes_received", "disputes", ["received"])
    op.create_index("ix_disputes_region", "disputes", ["region"])
    op.create_index("ix_disputes_status_received", "disputes", ["status", "received"])
    op.create_table(
        "dispute_history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "dispute_id",
            sa.Integer,
            sa.ForeignKey("disputes.id", name="fk_dispute_history_dispute", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("field", sa.String(50)),
        sa.Column("old", sa.JSON),
        sa.Column("new", sa.JSON),
        sa.Column("note", sa.Text),
    )
    op.create_index("ix_dispute_history_dispute_id", "dispute_history", ["dispute_id"])


def downgrade() -> None:
    op.drop_table("dispute_history")
    op.drop_table("disputes")
    op.drop_table("dispute_counters")
    op.drop_table("committees")
