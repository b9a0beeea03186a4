"""Items, fixture feeds and runs the feed tests share."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from contracts.agenda import AgendaItem
from contracts.news import NewsItem

FEEDS = Path(__file__).parents[3] / "fixtures" / "feeds"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def feed_text(name: str) -> str:
    """The text of tests/fixtures/feeds/<name>."""
    return (FEEDS / name).read_text(encoding="utf-8")


def news(item_id: str, day: int, **changes: Any) -> NewsItem:
    """A feed's news item published on `day` November 2026."""
    fields: dict[str, Any] = {
        "hotspot": "zwolle",
        "item_id": item_id,
        "origin": "feed",
        "title": f"Bericht {item_id}",
        "summary_html": "<p>Tekst.</p>",
        "link": f"https://impactzwolle.test/nieuws/{item_id}",
        "published_at": datetime(2026, 11, day, 10, 0, tzinfo=UTC),
    }
    return NewsItem(**(fields | changes))


def timed(item_id: str, start: datetime, **changes: Any) -> AgendaItem:
    """A feed's timed agenda item starting at `start`, two hours long."""
    fields: dict[str, Any] = {
        "hotspot": "zwolle",
        "item_id": item_id,
        "origin": "feed",
        "title": f"Bijeenkomst {item_id}",
        "starts_at": start,
        "ends_at": start.replace(hour=start.hour + 2),
        "location": "Zwolle",
    }
    return AgendaItem(**(fields | changes))


def all_day(item_id: str, first: date, last: date | None = None) -> AgendaItem:
    """A feed's all-day agenda item."""
    return AgendaItem(
        hotspot="zwolle",
        item_id=item_id,
        origin="feed",
        title=f"Dag {item_id}",
        all_day=True,
        starts_on=first,
        ends_on=last or first,
    )
