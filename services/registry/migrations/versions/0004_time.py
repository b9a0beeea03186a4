"""Time-driven changes: the day each enterprise is next looked at, and the reminders sent.

Existing enterprises are due for a look on the day of the upgrade, so expiries, grace periods
and reminders are worked out for them once; from then on each stores its own next day.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    op.add_column("enterprise", sa.Column("next_check_on", sa.Date(), nullable=True))
    op.create_index("ix_enterprise_next_check_on", "enterprise", ["next_check_on"])
    op.execute(sa.text("UPDATE enterprise SET next_check_on = CURRENT_DATE"))
    op.create_table(
        "reminder",
        sa.Column("label", sa.String(length=20), primary_key=True),
        sa.Column("holding_id", sa.String(length=200), primary_key=True),
        sa.Column("valid_until", sa.Date(), primary_key=True),
        sa.Column("lead_days", sa.Integer(), primary_key=True),
        sa.Column("enterprise_id", sa.String(length=32), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reminder")
    op.drop_index("ix_enterprise_next_check_on", table_name="enterprise")
    op.drop_column("enterprise", "next_check_on")
