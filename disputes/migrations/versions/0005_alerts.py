"""Early-warning alerts (研判预警): the alerts raised, the disputes behind them, acknowledgements.

``alerts.key`` is unique (``surge:<region>:<type>:<period>``, ``group:<dispute id>`` …):
running the checks again, or for an earlier date, never raises the same alert twice.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("region", sa.String(200), nullable=True),
        sa.Column("dispute_type", sa.String(30), nullable=True),
        sa.Column("period", sa.String(20), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("observed", sa.Numeric(16, 2, asdecimal=False), nullable=True),
        sa.Column("expected", sa.Numeric(16, 2, asdecimal=False), nullable=True),
        sa.Column("method", sa.String(50), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("key", name="uq_alerts_key"),
    )
    op.create_index("ix_alerts_day", "alerts", ["day"])
    op.create_index("ix_alerts_region", "alerts", ["region"])
    op.create_table(
        "alert_disputes",
        sa.Column(
            "alert_id",
            sa.String(32),
            sa.ForeignKey("alerts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "dispute_id",
            sa.Integer,
            sa.ForeignKey("disputes.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_index("ix_alert_disputes_dispute_id", "alert_disputes", ["dispute_id"])
    op.create_table(
        "alert_acks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "alert_id",
            sa.String(32),
            sa.ForeignKey("alerts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_alert_acks_alert_id", "alert_acks", ["alert_id"])


def downgrade() -> None:
    op.drop_index("ix_alert_acks_alert_id", table_name="alert_acks")
    op.drop_table("alert_acks")
    op.drop_index("ix_alert_disputes_dispute_id", table_name="alert_disputes")
    op.drop_table("alert_disputes")
    op.drop_index("ix_alerts_region", table_name="alerts")
    op.drop_index("ix_alerts_day", table_name="alerts")
    op.drop_table("alerts")
