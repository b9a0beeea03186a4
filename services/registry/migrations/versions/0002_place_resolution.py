"""Where a holding's place lies: its municipality's CBS code, and how that was found.

Both columns are nullable: holdings recorded before this revision have neither until their
next label event resolves the place.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    op.add_column("holding", sa.Column("municipality_code", sa.String(length=10), nullable=True))
    op.add_column("holding", sa.Column("place_status", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("holding") as batch:
        batch.drop_column("place_status")
        batch.drop_column("municipality_code")
