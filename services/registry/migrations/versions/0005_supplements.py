"""Supplements: what enterprises add to their own listing, who changed it, and sign-in claims.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    op.add_column("enterprise", sa.Column("supplement", sa.Text(), nullable=True))
    op.create_table(
        "supplement_change",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("enterprise_id", sa.String(length=32), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(length=254), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("supplement", sa.Text(), nullable=True),
    )
    op.create_index("ix_supplement_change_enterprise_id", "supplement_change", ["enterprise_id"])
    op.create_index("ix_supplement_change_changed_at", "supplement_change", ["changed_at"])
    op.create_table(
        "claim",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("enterprise_id", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("request_event_id", sa.String(length=64), nullable=False, unique=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_claim_enterprise_id", "claim", ["enterprise_id"])
    op.create_index("ix_claim_requested_at", "claim", ["requested_at"])


def downgrade() -> None:
    op.drop_table("claim")
    op.drop_table("supplement_change")
    op.drop_column("enterprise", "supplement")
