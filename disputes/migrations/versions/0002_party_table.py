"""Parties in their own table, indexed by name and ID number.

The base schema kept a dispute's parties as one JSON list. Finding "the same
person in several disputes" (repeat-party alerts, a mediator checking who has
been here before) then meant reading every dispute; a table with indexes on
``name`` and ``id_number`` makes it one lookup. Existing parties are moved
row by row, in their order; the JSON column goes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-03-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

PARTY_FIELDS = ("role", "name", "kind", "unit", "id_number", "phone", "address")

_disputes = sa.table("disputes", sa.column("id", sa.Integer), sa.column("parties", sa.JSON))
_parties = sa.table(
    "dispute_parties",
    sa.column("dispute_id", sa.Integer),
    sa.column("position", sa.Integer),
    *(sa.column(name, sa.String) for name in PARTY_FIELDS),
)


def upgrade() -> None:
    op.create_table(
        "dispute_parties",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "dispute_id",
            sa.Integer,
            sa.ForeignKey("disputes.id", name="fk_dispute_parties_dispute", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("role", sa.String(50), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("unit", sa.String(200)),
        sa.Column("id_number", sa.String(30)),
        sa.Column("phone", sa.String(30)),
        sa.Column("address", sa.String(300)),
    )
    op.create_index("ix_dispute_parties_dispute_id", "dispute_parties", ["dispute_id"])
    op.create_index("ix_dispute_parties_name", "dispute_parties", ["name"])
    op.create_index("ix_dispute_parties_id_number", "dispute_parties", ["id_number"])

    bind = op.get_bind()
    batch: list[dict] = []
    for dispute_id, parties in bind.execute(sa.select(_disputes.c.id, _disputes.c.parties)):
        for position, party in enumerate(parties or []):
            row = {name: party.get(name) for name in PARTY_FIELDS}
            row["role"] = row["role"] or ""
            row["kind"] = row["kind"] or "person"
            batch.append({"dispute_id": dispute_id, "position": position, **row})
        if len(batch) >= 1000:
            bind.execute(_parties.insert(), batch)
            batch = []
    if batch:
        bind.execute(_parties.insert(), batch)

    with op.batch_alter_table("disputes") as table:
        table.drop_column("parties")


def downgrade() -> None:
    with op.batch_alter_table("disputes") as table:
        table.add_column(sa.Column("parties", sa.JSON, nullable=False, server_default="[]"))
    bind = op.get_bind()
    collected: dict[int, list[dict]] = {}
    rows = bind.execute(sa.select(_parties).order_by(_parties.c.dispute_id, _parties.c.position))
    for row in rows.mappings():
        party = {name: row[name] for name in PARTY_FIELDS if row[name] is not None}
        collected.setdefault(row["dispute_id"], []).append(party)
    for dispute_id, parties in collected.items():
        bind.execute(_disputes.update().where(_disputes.c.id == dispute_id).values(parties=parties))
    op.drop_table("dispute_parties")
