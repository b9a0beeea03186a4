"""A hotspot's agenda: events scheduled, changed and cancelled, as events any region may follow.

Times travel in UTC; pages show them in Dutch time. An all-day item carries dates instead
(its last day inclusive). A recurring event arrives as its occurrences, each its own item.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from contracts.base import Event, Frozen
from contracts.hotspots import HOTSPOT_SLUG, HTML_MAX, TITLE_MAX, source_link
from contracts.news import ItemOrigin
from contracts.supplements import plain_text

LOCATION_MAX = 300


class AgendaItem(Frozen):
    """One agenda item (one occurrence of a recurring event) as it stands."""

    hotspot: str = Field(pattern=HOTSPOT_SLUG)
    item_id: str = Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")
    origin: ItemOrigin
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    description_html: str = Field(default="", max_length=HTML_MAX)
    location: str | None = Field(default=None, max_length=LOCATION_MAX)
    link: str | None = None
    all_day: bool = False
    starts_at: datetime | None = Field(default=None, description="Timed items: the start, UTC")
    ends_at: datetime | None = Field(default=None, description="Timed items: the end, UTC")
    starts_on: date | None = Field(default=None, description="All-day items: the first day")
    ends_on: date | None = Field(default=None, description="All-day items: the last day")

    @field_validator("title", "location")
    @classmethod
    def _plain(cls, value: str | None) -> str | None:
        return None if value is None else (plain_text(value) or None)

    @field_validator("link")
    @classmethod
    def _link(cls, value: str | None) -> str | None:
        return None if value is None else source_link(value)

    @model_validator(mode="after")
    def _when(self) -> AgendaItem:
        if not self.title:
            raise ValueError("a title is required")
        if self.all_day:
            if self.starts_on is None or self.starts_at is not None or self.ends_at is not None:
                raise ValueError("an all-day item has starts_on (and ends_on), no times")
            if self.ends_on is not None and self.ends_on < self.starts_on:
                raise ValueError("an item cannot end before it starts")
        else:
            if self.starts_at is None or self.starts_on is not None or self.ends_on is not None:
                raise ValueError("a timed item has starts_at (and ends_at), no dates")
            for moment in (self.starts_at, self.ends_at):
                if moment is not None and moment.tzinfo is None:
                    raise ValueError("times must be timezone-aware")
            if self.ends_at is not None and self.ends_at < self.starts_at:
                raise ValueError("an item cannot end before it starts")
        return self


class AgendaScheduled(Event):
    """An agenda item appeared."""

    kind: Literal["scheduled"] = "scheduled"
    item: AgendaItem


class AgendaChanged(Event):
    """An agenda item's time, place, text or link changed."""

    kind: Literal["changed"] = "changed"
    item: AgendaItem


class AgendaCancelled(Event):
    """An agenda item will not take place: its organiser cancelled it (`STATUS:CANCELLED`),
    it left its feed before it ended (after the same confirmation as a lapse), or its
    editor cancelled it. `item` is how it stood, so a page can say what was cancelled."""

    kind: Literal["cancelled"] = "cancelled"
    item: AgendaItem
    reason: Literal["cancelled_by_organiser", "removed_from_feed", "cancelled_by_editor"]


AgendaEvent = AgendaScheduled | AgendaChanged | AgendaCancelled
AnyAgendaEvent = Annotated[AgendaEvent, Field(discriminator="kind")]
