"""An index on an enterprise's mails by status: taking an event in looks up the
enterprise's open waiting mail, and with only the status index SQLite read every waiting
mail (thousands while a burst is being sent) for each event.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_enterprise_mail_enterprise_status",
        "enterprise_mail",
        ["enterprise_id", "status"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_enterprise_mail_enterprise_status", table_name="enterprise_mail")
