"""Case drafts: closed disputes promoted to masked model-case drafts, and their review.

A draft holds the case in the library's Markdown format, already masked, and
who made it; a coordinator approves it (it then joins the case library) or
rejects it, with a note. Both stay on record.

Revision ID: 0004
Revises: 0003
Create Date: 2026-04-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_drafts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "dispute_id",
            sa.Integer,
            sa.ForeignKey("disputes.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("case_id", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.String(200), nullable=True),
        sa.Column("review_note", sa.Text, nullable=True),
    )
    op.create_index("ix_case_drafts_dispute_id", "case_drafts", ["dispute_id"])
    op.create_index("ix_case_drafts_status", "case_drafts", ["status"])


def downgrade() -> None:
    op.drop_index("ix_case_drafts_status", table_name="case_drafts")
    op.drop_index("ix_case_drafts_dispute_id", table_name="case_drafts")
    op.drop_table("case_drafts")
