"""Indexes for the lists people ask for most: a type within a region, a committee's newest.

Measured at 100,000 disputes (benchmarks/register.py): "labor in 吉林省/长春市"
read every labor row to check its region; (dispute_type, region) answers it
from the index. A mediator's list is one committee newest first:
(committee, received). Both replace the single-column indexes they begin with.

Revision ID: 0003
Revises: 0002
Create Date: 2026-04-02
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_disputes_type_region", "disputes", ["dispute_type", "region"])
    op.create_index("ix_disputes_committee_received", "disputes", ["committee", "received"])
    op.drop_index("ix_disputes_dispute_type", table_name="disputes")
    op.drop_index("ix_disputes_committee", table_name="disputes")


def downgrade() -> None:
    op.create_index("ix_disputes_committee", "disputes", ["committee"])
    op.create_index("ix_disputes_dispute_type", "disputes", ["dispute_type"])
    op.drop_index("ix_disputes_committee_received", table_name="disputes")
    op.drop_index("ix_disputes_type_region", table_name="disputes")
