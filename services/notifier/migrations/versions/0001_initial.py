"""The notifier's first schema, exactly as create_all (and the `ALTER TABLE` adding
`delivery.stream_seq`) made it before migrations existed.

Sign-in deliveries, every event taken in, the last state seen of each enterprise, the
enterprise mails, and the mail preferences. A database made before migrations has no
`alembic_version`: this revision then creates only what is missing (a `delivery` table from
before mails were kept in order gets its `stream_seq`), so it adopts the database, rows and
all.

Revision ID: 0001
Revises:
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None

Index = tuple[str, str, list[str]]
INDEXES: tuple[Index, ...] = (
    ("ix_delivery_enterprise_id", "delivery", ["enterprise_id"]),
    ("ix_enterprise_mail_due_at", "enterprise_mail", ["due_at"]),
    ("ix_enterprise_mail_enterprise_id", "enterprise_mail", ["enterprise_id"]),
    ("ix_enterprise_mail_status", "enterprise_mail", ["status"]),
    ("ix_processed_event_mail_id", "processed_event", ["mail_id"]),
)


def _delivery() -> None:
    op.create_table(
        "delivery",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("message_id", sa.String(length=100), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stream_seq", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("event_id"),
    )


def _enterprise_mail() -> None:
    op.create_table(
        "enterprise_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mail_key", sa.String(length=64), nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event", sa.Text(), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("mail_key"),
    )


def _mail_preference() -> None:
    op.create_table(
        "mail_preference",
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("non_essential", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("enterprise_id"),
        sa.UniqueConstraint("token"),
    )


def _processed_event() -> None:
    op.create_table(
        "processed_event",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("mail_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )


def _seen_state() -> None:
    op.create_table(
        "seen_state",
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("enterprise_id"),
    )


TABLES: dict[str, Callable[[], None]] = {
    "delivery": _delivery,
    "enterprise_mail": _enterprise_mail,
    "mail_preference": _mail_preference,
    "processed_event": _processed_event,
    "seen_state": _seen_state,
}


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    present = set(inspector.get_table_names())
    for name, create in TABLES.items():
        if name not in present:
            create()
    if "delivery" in present:
        names = {column["name"] for column in inspector.get_columns("delivery")}
        if "stream_seq" not in names:  # a table from before mails were kept in order
            op.add_column("delivery", sa.Column("stream_seq", sa.BigInteger(), nullable=True))
    for index, table, columns in INDEXES:
        existing = {i["name"] for i in inspector.get_indexes(table)} if table in present else set()
        if index not in existing:
            op.create_index(index, table, columns, unique=False)


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
