"""The registry's first schema, exactly as create_all made it before migrations existed.

Enterprises, holdings and the KvK numbers they name, processed event ids, and the outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    op.create_table(
        "enterprise",
        sa.Column("enterprise_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("listed", sa.Boolean(), nullable=False),
        sa.Column("state", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("enterprise_id"),
    )
    op.create_index("ix_enterprise_listed", "enterprise", ["listed"])
    op.create_table(
        "holding",
        sa.Column("label", sa.String(length=20), nullable=False),
        sa.Column("holding_id", sa.String(length=200), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=False),
        sa.Column("observation", sa.Text(), nullable=False),
        sa.Column("last_event_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lapsed_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.enterprise_id"]),
        sa.PrimaryKeyConstraint("label", "holding_id"),
    )
    op.create_index("ix_holding_enterprise_id", "holding", ["enterprise_id"])
    op.create_table(
        "holding_kvk",
        sa.Column("label", sa.String(length=20), nullable=False),
        sa.Column("holding_id", sa.String(length=200), nullable=False),
        sa.Column("kvk", sa.String(length=20), nullable=False),
        sa.Column("enterprise_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.enterprise_id"]),
        sa.PrimaryKeyConstraint("label", "holding_id", "kvk"),
    )
    op.create_index("ix_holding_kvk_kvk", "holding_kvk", ["kvk"])
    op.create_table(
        "processed_event",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    # The constraint stays unnamed, as create_all left it (PostgreSQL calls it
    # outbox_event_id_key), so databases from before migrations and after are alike.
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index("ix_outbox_published_at", "outbox", ["published_at"])


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("processed_event")
    op.drop_table("holding_kvk")
    op.drop_table("holding")
    op.drop_table("enterprise")
