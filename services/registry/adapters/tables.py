"""The registry's tables: enterprises, holdings, merges, reminders, processed event ids and the
outbox."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import BigInteger, Column, DateTime, Index, MetaData, Table, Text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class RegistryTable(SQLModel, registry=registry()):
    """Base of the registry's tables, with metadata of their own: other services in the same
    process may define tables of the same name."""


metadata: MetaData = RegistryTable.metadata


def _utc_column(*, nullable: bool = False, index: bool = False) -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=nullable, index=index)


def as_utc(value: datetime) -> datetime:
    """SQLite hands timestamps back without a zone; every stored timestamp is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class EnterpriseRow(RegistryTable, table=True):
    """An enterprise and the public state consumers last received (JSON), if any."""

    __tablename__ = "enterprise"

    enterprise_id: str = Field(primary_key=True, max_length=32)
    version: int = 0
    listed: bool = Field(default=False, index=True)
    state: str | None = Field(default=None, sa_type=Text)
    updated_at: datetime = Field(sa_column=_utc_column())
    next_check_on: date | None = Field(default=None, index=True)
    # What the enterprise added itself (JSON of supplements.StoredSupplement), if anything.
    supplement: str | None = Field(default=None, sa_type=Text)


class HoldingRow(RegistryTable, table=True):
    """A label holding: its latest observation (JSON), whether it lapsed, and the municipality
    (CBS code) its place lies in, with how that was found ("bundled", "pdok", "unresolved",
    "ambiguous"; none before places were resolved)."""

    __tablename__ = "holding"

    label: str = Field(primary_key=True, max_length=20)
    holding_id: str = Field(primary_key=True, max_length=200)
    enterprise_id: str = Field(foreign_key="enterprise.enterprise_id", index=True, max_length=32)
    observation: str = Field(sa_type=Text)
    last_event_at: datetime = Field(sa_column=_utc_column())
    lapsed_on: date | None = None
    municipality_code: str | None = Field(default=None, max_length=10)
    place_status: str | None = Field(default=None, max_length=20)
    website_host: str | None = Field(default=None, index=True, max_length=300)
    name_key: str | None = Field(default=None, index=True, max_length=300)


class HoldingKvkRow(RegistryTable, table=True):
    """A KvK number a holding names, so a new holding finds the enterprise it belongs to."""

    __tablename__ = "holding_kvk"

    label: str = Field(primary_key=True, max_length=20)
    holding_id: str = Field(primary_key=True, max_length=200)
    kvk: str = Field(primary_key=True, index=True, max_length=20)
    enterprise_id: str = Field(foreign_key="enterprise.enterprise_id", max_length=32)


class MergeRow(RegistryTable, table=True):
    """A holding that joined an existing enterprise, by which rule and on which value; once
    split (`split_at`), the holding is kept apart from that enterprise for good."""

    __tablename__ = "merge"

    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: str = Field(index=True, max_length=32)
    label: str = Field(max_length=20)
    holding_id: str = Field(max_length=200)
    rule: str = Field(max_length=20)
    value: str = Field(max_length=300)
    created_at: datetime = Field(sa_column=_utc_column())
    split_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class ReminderRow(RegistryTable, table=True):
    """A recertification reminder sent (queued in the outbox) for one validity period of a
    holding at one lead time: it is never sent again, whatever restarts."""

    __tablename__ = "reminder"

    label: str = Field(primary_key=True, max_length=20)
    holding_id: str = Field(primary_key=True, max_length=200)
    valid_until: date = Field(primary_key=True)
    lead_days: int = Field(primary_key=True)
    enterprise_id: str = Field(max_length=32)
    sent_at: datetime = Field(sa_column=_utc_column())


class SupplementChangeRow(RegistryTable, table=True):
    """Who changed an enterprise's supplement, which fields, to what, and when: submitted by
    the enterprise, or hidden / shown again by an operator (`changed_by` "operator")."""

    __tablename__ = "supplement_change"

    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: str = Field(index=True, max_length=32)
    changed_at: datetime = Field(sa_column=_utc_column(index=True))
    changed_by: str = Field(max_length=254)
    action: str = Field(max_length=20)
    fields: str = Field(sa_type=Text)
    supplement: str | None = Field(default=None, sa_type=Text)


class ClaimRow(RegistryTable, table=True):
    """A sign-in asked for at an address the registry does not trust for the enterprise,
    waiting for an operator (`decision` "approved" or "rejected" once decided)."""

    __tablename__ = "claim"

    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: str = Field(index=True, max_length=32)
    email: str = Field(max_length=254)
    request_event_id: str = Field(unique=True, max_length=64)
    requested_at: datetime = Field(sa_column=_utc_column(index=True))
    decision: str | None = Field(default=None, max_length=20)
    decided_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class ProcessedEventRow(RegistryTable, table=True):
    """An event whose effect is committed: a redelivery of it changes nothing. A label event
    keeps its stream and sequence, by which it is pruned (see ProcessedStreamRow)."""

    __tablename__ = "processed_event"
    __table_args__ = (Index("ix_processed_event_stream_sequence", "stream", "stream_sequence"),)

    event_id: str = Field(primary_key=True, max_length=64)
    processed_at: datetime = Field(sa_column=_utc_column())
    stream: str | None = Field(default=None, max_length=64)
    stream_sequence: int | None = Field(default=None, sa_type=BigInteger)


class ProcessedStreamRow(RegistryTable, table=True):
    """How far a stream's processed ids were pruned: every event at or below `pruned_through`
    was acknowledged (its effect committed, or given up on), so one delivered again is a
    duplicate even though its id is gone."""

    __tablename__ = "processed_stream"

    stream: str = Field(primary_key=True, max_length=64)
    pruned_through: int = Field(sa_type=BigInteger)


class OutboxRow(RegistryTable, table=True):
    """An enterprise event committed with its cause, waiting for (or done with) publishing."""

    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(unique=True, max_length=64)
    subject: str = Field(max_length=300)
    payload: str = Field(sa_type=Text)
    created_at: datetime = Field(sa_column=_utc_column())
    published_at: datetime | None = Field(
        default=None, sa_column=_utc_column(nullable=True, index=True)
    )
    # Given up on: JetStream refused it for good (too large, say); a dead letter says why.
    dead_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    dead_reason: str | None = Field(default=None, max_length=500)


# The tables as SQL statements see them (the repository writes through these, not the ORM).
ENTERPRISES: Table = EnterpriseRow.__table__  # type: ignore[attr-defined]
HOLDINGS: Table = HoldingRow.__table__  # type: ignore[attr-defined]
HOLDING_KVK: Table = HoldingKvkRow.__table__  # type: ignore[attr-defined]
REMINDERS: Table = ReminderRow.__table__  # type: ignore[attr-defined]
