"""A hotspot's news: published, updated and withdrawn, as events any region may follow.

An item comes from the hotspot's RSS or Atom feed (read by the scraper) or from one of its
editors (entered on the gateway). Its summary is HTML that the publisher has sanitised; a
reader sanitises again before showing it, since a subscriber trusts no stream with markup.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, field_validator

from contracts.base import Event, Frozen
from contracts.hotspots import HOTSPOT_SLUG, HTML_MAX, TITLE_MAX, source_link
from contracts.supplements import plain_text

ItemOrigin = Literal["feed", "editor"]


class NewsItem(Frozen):
    """One news item as it stands."""

    hotspot: str = Field(pattern=HOTSPOT_SLUG)
    item_id: str = Field(
        pattern=r"^[A-Za-z0-9_-]{8,64}$",
        description="Stable within its hotspot: derived from the feed's id (or link), or "
        "given by the gateway to an editor's item",
    )
    origin: ItemOrigin
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    summary_html: str = Field(default="", max_length=HTML_MAX)
    link: str | None = Field(default=None, description="Where the item is published")
    published_at: datetime
    updated_at: datetime | None = None

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        text = plain_text(value)
        if not text:
            raise ValueError("a title is required")
        return text

    @field_validator("link")
    @classmethod
    def _link(cls, value: str | None) -> str | None:
        return None if value is None else source_link(value)

    @field_validator("published_at", "updated_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("must be timezone-aware")
        return value


class NewsPublished(Event):
    """A news item appeared."""

    kind: Literal["published"] = "published"
    item: NewsItem


class NewsUpdated(Event):
    """A news item's text, link or dates changed."""

    kind: Literal["updated"] = "updated"
    item: NewsItem


class NewsWithdrawn(Event):
    """A news item is gone: it left its feed while the feed still held older items (after the
    same confirmation as a lapse), or its editor withdrew it."""

    kind: Literal["withdrawn"] = "withdrawn"
    hotspot: str = Field(pattern=HOTSPOT_SLUG)
    item_id: str = Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")
    reason: Literal["removed_from_feed", "withdrawn_by_editor"]


NewsEvent = NewsPublished | NewsUpdated | NewsWithdrawn
AnyNewsEvent = Annotated[NewsEvent, Field(discriminator="kind")]
