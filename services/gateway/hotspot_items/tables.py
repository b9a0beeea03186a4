"""The read model's tables of news and agenda items, in the read model's metadata: a schema
change drops them with the rest and the streams are replayed into them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field

from services.gateway.read_model.tables import ReadModel, UtcDateTime


class NewsRow(ReadModel, table=True):
    """A news item as its latest event left it; a withdrawn one stays, hidden, so that an
    older event delivered again cannot bring it back."""

    __tablename__ = "hotspot_news"
    __table_args__ = (Index("ix_hotspot_news_shown", "withdrawn", "published_at"),)

    hotspot: str = Field(primary_key=True, max_length=40)
    item_id: str = Field(primary_key=True, max_length=64)
    # The stream sequence of the event that wrote the row: only a later one replaces it.
    stream_seq: int
    changed_at: datetime = Field(sa_type=UtcDateTime)
    withdrawn: bool = False
    origin: str = Field(default="feed", max_length=16)
    title: str = ""
    summary_html: str = ""
    link: str | None = None
    published_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    updated_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class AgendaRow(ReadModel, table=True):
    """An agenda item as its latest event left it. A cancelled one stays listed, marked;
    one that left its feed (`removed`) is hidden but kept like a withdrawn news item."""

    __tablename__ = "hotspot_agenda"
    __table_args__ = (
        Index("ix_hotspot_agenda_starts", "removed", "starts_key"),
        Index("ix_hotspot_agenda_ends", "ends_key"),
    )

    hotspot: str = Field(primary_key=True, max_length=40)
    item_id: str = Field(primary_key=True, max_length=64)
    stream_seq: int
    changed_at: datetime = Field(sa_type=UtcDateTime)
    removed: bool = False
    cancelled_reason: str | None = Field(default=None, max_length=32)
    origin: str = Field(default="feed", max_length=16)
    title: str = ""
    description_html: str = ""
    location: str | None = None
    link: str | None = None
    all_day: bool = False
    starts_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    ends_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    starts_on: date | None = None
    ends_on: date | None = None
    # When it begins and ends as moments (an all-day item from the start of its first Dutch
    # day to the end of its last), so timed and all-day items sort and split together.
    starts_key: datetime = Field(sa_type=UtcDateTime)
    ends_key: datetime = Field(sa_type=UtcDateTime)
