"""Processed ids pruned by stream sequence: each processed event's stream and sequence, and
per stream the highest sequence whose ids were pruned (see services/notifier/pruning.py).

Both columns are nullable: ids taken in before this revision have neither and are never
pruned.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    op.create_table(
        "pruned_stream",
        sa.Column("stream", sa.String(length=32), nullable=False),
        sa.Column("max_seq", sa.BigInteger(), nullable=False),
        sa.Column("pruned_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("stream"),
    )
    op.add_column("processed_event", sa.Column("stream", sa.String(length=32), nullable=True))
    op.add_column("processed_event", sa.Column("stream_seq", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_processed_event_stream_seq", "processed_event", ["stream", "stream_seq"], unique=False
    )


def downgrade() -> None:
    with op.batch_alter_table("processed_event") as batch:
        batch.drop_index("ix_processed_event_stream_seq")
        batch.drop_column("stream_seq")
        batch.drop_column("stream")
    op.drop_table("pruned_stream")
