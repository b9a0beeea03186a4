"""Read model tables, in their own metadata so they never clash with another service's."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Dialect, Index, Integer, TypeDecorator, text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class UtcDateTime(TypeDecorator[datetime]):
    """Stores UTC, always returns timezone-aware UTC (SQLite would otherwise drop the zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        stored: datetime = value
        return stored.replace(tzinfo=UTC) if stored.tzinfo is None else stored.astimezone(UTC)


# Raise with every change to these tables: a read model of another version is dropped and
# rebuilt by replaying the streams (it holds nothing the streams do not).
SCHEMA_VERSION = 8


class ReadModel(SQLModel, registry=registry()):
    """Base of the gateway's tables; `ReadModel.metadata` holds exactly these."""


class EnterpriseRow(ReadModel, table=True):
    """One enterprise's latest public state; delisted ones stay with `listed` false."""

    __tablename__ = "enterprises"
    __table_args__ = (
        Index("ix_enterprises_listed_sort", "listed", "sort_name"),
        # One per other sort order, ending in the tie-breaks, so a sorted page is read from
        # the index with LIMIT (see queries.ORDER_BY).
        Index(
            "ix_enterprises_listed_newest",
            "listed",
            text("listed_since DESC"),
            "sort_name",
            "enterprise_id",
        ),
        Index(
            "ix_enterprises_listed_ending", "listed", "listing_ends", "sort_name", "enterprise_id"
        ),
    )

    enterprise_id: str = Field(primary_key=True, max_length=64)
    version: int
    listed: bool
    name: str
    sort_name: str
    search_text: str
    place: str | None = None
    municipality: str | None = Field(default=None, index=True)
    province: str | None = Field(default=None, index=True)
    region: str | None = Field(default=None, index=True)
    website: str | None = None
    kvk: list[str] = Field(default_factory=list, sa_type=JSON)
    themes: list[str] = Field(default_factory=list, sa_type=JSON)
    listed_since: datetime | None = Field(default=None, sa_type=UtcDateTime)
    grace_until: date | None = None
    # The labels of its counting holdings, space-separated; kept by a database trigger on
    # `holdings` (see search_index.py), so every writer keeps it right, never set in Python.
    counting_labels: str | None = None
    summary: str | None = None
    summary_label: str | None = Field(default=None, max_length=16)
    categories: list[str] = Field(default_factory=list, sa_type=JSON)
    categories_chosen: bool = False
    supplement: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    # The category slugs and the tokens of the labour-market regions it delivers in, each
    # space-separated and sorted like `counting_labels`, so facets and filters group on them;
    # set by the projection (see searchable.py).
    category_slugs: str | None = None
    delivery_regions: str | None = None
    # Set while not listed, from the event that ended the listing: when, why
    # (contracts.enterprises.DelistReason) and, for a lapse, which label on which day.
    delisted_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    delisted_reason: str | None = Field(default=None, max_length=32)
    lapsed_label: str | None = Field(default=None, max_length=16)
    lapsed_on: date | None = None
    # Set by the projection from the counting holdings (see listing_terms.py): the day the
    # listing stands to end (NO_END when a label has no end date), and whether a counting
    # PSO 30+ certificate lets it receive reserved contracts (article 2.82).
    listing_ends: date | None = None
    reserved: bool = False


class ListingChangeRow(ReadModel, table=True):
    """An enterprise that joined, returned to or left the listing, with where it was and what
    it offered then: the history behind alerts and the regions' charts. One row per event
    that changed `listed`, written in that event's transaction."""

    __tablename__ = "listing_changes"
    __table_args__ = (
        Index("ix_listing_changes_at", "occurred_at"),
        Index("ix_listing_changes_region_at", "region", "occurred_at"),
    )

    event_id: str = Field(primary_key=True, max_length=64)
    enterprise_id: str = Field(max_length=64, index=True)
    version: int
    occurred_at: datetime = Field(sa_type=UtcDateTime)
    # `joined` (first listing), `returned` (listed again after leaving), `left`.
    change: str = Field(max_length=16)
    # Why it left (DelistReason); `moved` also marks the arrival half of a move.
    reason: str | None = Field(default=None, max_length=32)
    name: str
    province: str | None = None
    region: str | None = None
    municipality: str | None = None
    # As in EnterpriseRow: space-separated sorted tokens, so a saved search filters them alike;
    # a departure's labels include those that counted just before it.
    counting_labels: str | None = None
    category_slugs: str | None = None
    delivery_regions: str | None = None


class EnterpriseChangeRow(ReadModel, table=True):
    """An enterprise row that was inserted, deleted, or changed in a column searches read,
    written by a database trigger (see search_index.py) whoever wrote the row. Each gateway's
    search index follows this log; the numbers only grow (SQLite: AUTOINCREMENT)."""

    __tablename__ = "enterprise_changes"
    __table_args__ = {"sqlite_autoincrement": True}

    seq: int | None = Field(
        default=None, primary_key=True, sa_type=BigInteger().with_variant(Integer, "sqlite")
    )
    enterprise_id: str = Field(max_length=64)


class HoldingRow(ReadModel, table=True):
    """One label holding of an enterprise, replaced as a whole with each newer state."""

    __tablename__ = "holdings"
    __table_args__ = (Index("ix_holdings_label_enterprise", "label", "enterprise_id"),)

    enterprise_id: str = Field(primary_key=True, max_length=64)
    label: str = Field(primary_key=True, max_length=16)
    holding_id: str = Field(primary_key=True)
    level: str | None = None
    pso30plus: bool = False
    status: str
    valid_from: date | None = None
    valid_until: date | None = None
    counts: bool
    grace_until: date | None = None
    source_url: str
    last_verified_at: datetime = Field(sa_type=UtcDateTime)


class SourceRow(ReadModel, table=True):
    """Freshness of one label registry: its latest successful and latest failed scrape."""

    __tablename__ = "sources"

    label: str = Field(primary_key=True, max_length=16)
    last_success_started_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_success_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    holdings: int | None = None
    counting: int | None = None
    last_failure_started_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_failure_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_failure_reason: str | None = None
    next_run_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class ProcessedEvent(ReadModel, table=True):
    """An event already applied; written in the same transaction as its effect."""

    __tablename__ = "processed_events"

    event_id: str = Field(primary_key=True, max_length=64)
    stream: str | None = None
    stream_seq: int | None = None
    processed_at: datetime = Field(sa_type=UtcDateTime)


class StreamPosition(ReadModel, table=True):
    """The highest stream sequence applied from each stream."""

    __tablename__ = "stream_positions"

    stream: str = Field(primary_key=True, max_length=64)
    last_seq: int


class PrunedPosition(ReadModel, table=True):
    """Per stream, the highest sequence whose processed id was pruned: every event at or
    below it was applied or given up on (the durable's ack floor), so one delivered again (a
    durable made anew) is a duplicate without its id."""

    __tablename__ = "pruned_positions"

    stream: str = Field(primary_key=True, max_length=64)
    through_seq: int


class ProcessedCount(ReadModel, table=True):
    """How many events the read model has applied: one row, raised with every event in that
    event's transaction, so it also tells cached answers from before a write."""

    __tablename__ = "processed_count"

    id: int = Field(default=1, primary_key=True)
    events: int


class SchemaVersion(ReadModel, table=True):
    """Which version of these tables the database holds."""

    __tablename__ = "read_model_schema"

    version: int = Field(primary_key=True)
