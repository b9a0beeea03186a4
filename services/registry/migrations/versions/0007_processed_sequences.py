"""Processed ids with their stream sequence, and how far each stream's ids were pruned.

Ids recorded before this revision have no sequence; they are pruned by age alone, once no
stream can hold their event any more.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    with op.batch_alter_table("processed_event") as batch:
        batch.add_column(sa.Column("stream", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("stream_sequence", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_processed_event_stream_sequence", "processed_event", ["stream", "stream_sequence"]
    )
    op.create_table(
        "processed_stream",
        sa.Column("stream", sa.String(length=64), primary_key=True),
        sa.Column("pruned_through", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("processed_stream")
    op.drop_index("ix_processed_event_stream_sequence", table_name="processed_event")
    with op.batch_alter_table("processed_event") as batch:
        batch.drop_column("stream_sequence")
        batch.drop_column("stream")
