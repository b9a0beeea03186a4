"""News and agenda events, and a hotspots file, for the gateway's tests of the hotspots'
news and agenda: valid contract events with readable defaults."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from contracts.agenda import AgendaCancelled, AgendaChanged, AgendaItem, AgendaScheduled
from contracts.base import deterministic_id
from contracts.news import NewsItem, NewsPublished, NewsUpdated, NewsWithdrawn
from services.gateway.read_model.projection import Position

E = TypeVar("E")
NOW = datetime(2026, 3, 27, 11, 0, tzinfo=UTC)
"""Friday 27 March 2026, noon in the Netherlands; summer time starts on Sunday the 29th."""
HOTSPOTS = [
    {
        "slug": "impact-zwolle",
        "name": "Impact Zwolle",
        "region": "Regio Zwolle",
        "website": "https://impactzwolle.example/",
        "news_feed": "https://impactzwolle.example/feed/",
    },
    {
        "slug": "impact-deventer",
        "name": "Impact Deventer",
        "region": "Stedendriehoek en Noordwest Veluwe",
        "website": "https://impactdeventer.example/",
        "agenda_feed": "https://impactdeventer.example/agenda.ics",
    },
    {
        "slug": "impact024",
        "name": "IMPACT024",
        "region": "Rijk van Nijmegen",
        "website": "https://impact024.example/",
        "editors": ["redactie@impact024.example"],
    },
]


def hotspots_file(directory: Path) -> Path:
    """The three hotspots above in a JSON file in `directory`."""
    path = directory / "hotspots.json"
    path.write_text(json.dumps(HOTSPOTS), encoding="utf-8")
    return path


def news_item(
    item_id: str = "nieuws-0001", hotspot: str = "impact-zwolle", **fields: Any
) -> NewsItem:
    """A feed's news item published on 20 March 2026."""
    values: dict[str, Any] = {
        "hotspot": hotspot,
        "item_id": item_id,
        "origin": "feed",
        "title": f"Bericht {item_id}",
        "summary_html": "<p>Sociaal inkopen in de regio.</p>",
        "link": f"https://{hotspot}.example/nieuws/{item_id}",
        "published_at": datetime(2026, 3, 20, 9, 0, tzinfo=UTC),
    }
    return NewsItem(**(values | fields))


def _envelope(kind: str, key: str, at: datetime) -> dict[str, Any]:
    return {"event_id": deterministic_id(kind, key, at), "occurred_at": at, "source": "test"}


def published(item: NewsItem | None = None, at: datetime = NOW, **fields: Any) -> NewsPublished:
    """`item` (default: a news item with `fields`) published."""
    item = item or news_item(**fields)
    return NewsPublished(item=item, **_envelope("published", item.item_id, at))


def news_updated(item: NewsItem, at: datetime = NOW) -> NewsUpdated:
    """`item` as updated."""
    return NewsUpdated(item=item, **_envelope("updated", item.item_id + item.title, at))


def withdrawn(item: NewsItem, at: datetime = NOW) -> NewsWithdrawn:
    """`item` withdrawn by its editor."""
    return NewsWithdrawn(
        hotspot=item.hotspot,
        item_id=item.item_id,
        reason="withdrawn_by_editor",
        **_envelope("withdrawn", item.item_id, at),
    )


def agenda_item(
    item_id: str = "agenda-0001", hotspot: str = "impact-deventer", **fields: Any
) -> AgendaItem:
    """A timed agenda item: Thursday 2 April 2026, 14:00–16:00 Dutch summer time."""
    values: dict[str, Any] = {
        "hotspot": hotspot,
        "item_id": item_id,
        "origin": "feed",
        "title": f"Bijeenkomst {item_id}",
        "description_html": "<p>Kennismaken met sociaal ondernemers.</p>",
        "location": "Deventer, Stadhuis",
        "link": f"https://{hotspot}.example/agenda/{item_id}",
        "starts_at": datetime(2026, 4, 2, 12, 0, tzinfo=UTC),
        "ends_at": datetime(2026, 4, 2, 14, 0, tzinfo=UTC),
    }
    return AgendaItem(**(values | fields))


def all_day(item_id: str, first: date, last: date | None = None, **fields: Any) -> AgendaItem:
    """An all-day agenda item from `first` to `last` (inclusive)."""
    return agenda_item(
        item_id, all_day=True, starts_at=None, ends_at=None, starts_on=first, ends_on=last, **fields
    )


def scheduled(item: AgendaItem | None = None, at: datetime = NOW, **fields: Any) -> AgendaScheduled:
    """`item` (default: an agenda item with `fields`) scheduled."""
    item = item or agenda_item(**fields)
    return AgendaScheduled(item=item, **_envelope("scheduled", item.item_id, at))


def changed(item: AgendaItem, at: datetime = NOW) -> AgendaChanged:
    """`item` as changed."""
    return AgendaChanged(item=item, **_envelope("changed", item.item_id + item.title, at))


def cancelled(
    item: AgendaItem, reason: str = "cancelled_by_organiser", at: datetime = NOW
) -> AgendaCancelled:
    """`item` cancelled for `reason`."""
    return AgendaCancelled(
        item=item,
        reason=reason,  # type: ignore[arg-type]
        **_envelope("cancelled", item.item_id + reason, at),
    )


def later(at: datetime = NOW, hours: int = 1) -> datetime:
    """A moment `hours` after `at`."""
    return at + timedelta(hours=hours)


def in_stream(stream: str, events: Sequence[E], first: int = 1) -> list[tuple[E, Position]]:
    """`events` at sequences of `stream` from `first` on, as the consumers record them."""
    return [(e, Position(stream, first + n)) for n, e in enumerate(events)]
