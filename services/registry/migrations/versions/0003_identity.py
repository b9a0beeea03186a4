"""Identity across labels: each holding's website host and normalised name, and the merges.

The two holding columns are filled from each stored observation, and stored KvK numbers are
normalised to 8 digits, so holdings recorded before this revision are found by the new rules.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from contracts.kvk import normalise_kvk
from services.registry.identity import name_key, website_host

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    op.add_column("holding", sa.Column("website_host", sa.String(length=300), nullable=True))
    op.add_column("holding", sa.Column("name_key", sa.String(length=300), nullable=True))
    op.create_index("ix_holding_website_host", "holding", ["website_host"])
    op.create_index("ix_holding_name_key", "holding", ["name_key"])
    op.create_table(
        "merge",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("enterprise_id", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=20), nullable=False),
        sa.Column("holding_id", sa.String(length=200), nullable=False),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("split_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_merge_enterprise_id", "merge", ["enterprise_id"])
    _fill_identity()


def _fill_identity() -> None:
    """Each holding's website host and name key from its observation; KvK numbers normalised."""
    holding = sa.table(
        "holding",
        sa.column("label", sa.String),
        sa.column("holding_id", sa.String),
        sa.column("observation", sa.Text),
        sa.column("website_host", sa.String),
        sa.column("name_key", sa.String),
    )
    kvk = sa.table(
        "holding_kvk",
        sa.column("label", sa.String),
        sa.column("holding_id", sa.String),
        sa.column("kvk", sa.String),
        sa.column("enterprise_id", sa.String),
    )
    connection = op.get_bind()
    for label, holding_id, observation in connection.execute(
        sa.select(holding.c.label, holding.c.holding_id, holding.c.observation)
    ).all():
        facts = json.loads(observation)
        connection.execute(
            holding.update()
            .where(holding.c.label == label, holding.c.holding_id == holding_id)
            .values(
                website_host=website_host(facts.get("website")), name_key=name_key(facts["name"])
            )
        )
    rows = connection.execute(sa.select(kvk)).all()
    normal = {
        (r.label, r.holding_id, n, r.enterprise_id) for r in rows if (n := normalise_kvk(r.kvk))
    }
    connection.execute(kvk.delete())
    if normal:
        keys = ("label", "holding_id", "kvk", "enterprise_id")
        connection.execute(
            kvk.insert(), [dict(zip(keys, row, strict=True)) for row in sorted(normal)]
        )


def downgrade() -> None:
    op.drop_index("ix_merge_enterprise_id", table_name="merge")
    op.drop_table("merge")
    op.drop_index("ix_holding_name_key", table_name="holding")
    op.drop_index("ix_holding_website_host", table_name="holding")
    with op.batch_alter_table("holding") as batch:
        batch.drop_column("name_key")
        batch.drop_column("website_host")
