"""What the feed parsers hand the rest of a feed run: items, cancellations, warnings; and the
one way an item's id and an undated time are derived."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from contracts.agenda import AgendaItem
from contracts.news import NewsItem
from services.scraper.errors import ScrapeError

FeedKind = Literal["news", "agenda"]
FEED_KINDS: tuple[FeedKind, ...] = ("news", "agenda")
LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")
"""Where a time without a zone is meant: the hotspots are Dutch."""
MAX_LOGGED_WARNINGS = 50


class FeedUnusable(ScrapeError):
    """The document is no feed we can read: empty, HTML, or unparseable."""


@dataclass
class ParsedNews:
    """The items of one news feed that could be read, and why others could not."""

    items: list[NewsItem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class ParsedAgenda:
    """The occurrences of one agenda feed within the window, which of them the organiser
    cancelled (STATUS:CANCELLED), and why other entries could not be read."""

    items: list[AgendaItem] = field(default_factory=list)
    cancelled: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)


def item_id_of(*parts: object) -> str:
    """A stable item id (24 hex characters) from what identifies an entry in its feed."""
    text = "\x1f".join(str(part) for part in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def as_utc(moment: datetime) -> datetime:
    """`moment` in UTC; a time without a zone is read as Dutch time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_ZONE)
    return moment.astimezone(UTC)
