"""Change detection for feeds, pure: what we knew + one successful run -> news/agenda events.

The rules are the labels' (services/scraper/detect.py): an item is announced once, a change
is announced once per change, and an item that vanished is withdrawn (news) or cancelled
(agenda) only after `absent_runs` consecutive successful runs without it. Two vanishings are
no withdrawal: a news item older than the oldest one the feed still holds has aged out of
it, and an agenda item that has ended (or left the expansion window) is simply over. Both are
forgotten. Ids are deterministic (episode and change counters as in the labels), so a run
repeated after a crash publishes the same ids, which JetStream drops as duplicates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from contracts.agenda import (
    AgendaCancelled,
    AgendaChanged,
    AgendaEvent,
    AgendaItem,
    AgendaScheduled,
)
from contracts.base import deterministic_id
from contracts.news import NewsEvent, NewsItem, NewsPublished, NewsUpdated, NewsWithdrawn
from services.scraper.feeds.items import LOCAL_ZONE

AgendaStatus = Literal["scheduled", "cancelled", "gone"]
Announced = TypeVar("Announced", NewsPublished, NewsUpdated, AgendaScheduled, AgendaChanged)


class NewsMemory(BaseModel):
    """What the scraper remembers of one news item between runs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    item: NewsItem
    episode: int = 1
    changes: int = 0
    absent_runs: int = 0
    withdrawn: bool = False


class AgendaMemory(BaseModel):
    """What the scraper remembers of one agenda item (occurrence) between runs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    item: AgendaItem
    episode: int = 1
    changes: int = 0
    absent_runs: int = 0
    status: AgendaStatus = "scheduled"


@dataclass(frozen=True)
class EventMeta:
    """What every event of one run shares."""

    occurred_at: datetime
    source: str


@dataclass
class NewsDetection:
    """The events of one news run, in publishing order, and the memory to keep after it."""

    events: list[NewsEvent] = field(default_factory=list)
    memory: dict[str, NewsMemory] = field(default_factory=dict)


@dataclass
class AgendaDetection:
    """The events of one agenda run, in publishing order, and the memory to keep after it."""

    events: list[AgendaEvent] = field(default_factory=list)
    memory: dict[str, AgendaMemory] = field(default_factory=dict)


def fingerprint(item: NewsItem | AgendaItem) -> str:
    """What makes two sightings of an item the same: every field of it."""
    return hashlib.sha256(item.model_dump_json().encode()).hexdigest()[:32]


def detect_news(
    previous: Mapping[str, NewsMemory],
    current: Sequence[NewsItem],
    meta: EventMeta,
    *,
    absent_runs: int,
) -> NewsDetection:
    """Compare one successful news run with what we knew."""
    if absent_runs < 1:
        raise ValueError("absent_runs must be at least 1")
    found = NewsDetection()
    for item in current:
        memory, event = _news_seen(previous.get(item.item_id), item, meta)
        found.memory[item.item_id] = memory
        if event is not None:
            found.events.append(event)
    oldest = min((item.published_at for item in current), default=None)
    for item_id in sorted(previous.keys() - found.memory.keys()):
        prev = previous[item_id]
        if oldest is not None and prev.item.published_at < oldest:
            continue  # aged out of the feed: forgotten, not withdrawn
        runs = prev.absent_runs + 1
        if prev.withdrawn or runs < absent_runs:
            found.memory[item_id] = prev.model_copy(update={"absent_runs": runs})
            continue
        found.memory[item_id] = prev.model_copy(update={"absent_runs": runs, "withdrawn": True})
        found.events.append(
            NewsWithdrawn(
                event_id=deterministic_id(
                    "news", prev.item.hotspot, item_id, "withdrawn", prev.episode
                ),
                occurred_at=meta.occurred_at,
                source=meta.source,
                hotspot=prev.item.hotspot,
                item_id=item_id,
                reason="removed_from_feed",
            )
        )
    return found


def _news_seen(
    prev: NewsMemory | None, item: NewsItem, meta: EventMeta
) -> tuple[NewsMemory, NewsEvent | None]:
    if prev is None or prev.withdrawn:
        episode = prev.episode + 1 if prev else 1
        published = _announced(NewsPublished, "news", "published", item, meta, episode)
        return NewsMemory(item=item, episode=episode), published
    if fingerprint(item) == fingerprint(prev.item):
        return prev.model_copy(update={"absent_runs": 0}), None
    changes = prev.changes + 1
    updated = _announced(NewsUpdated, "news", "updated", item, meta, prev.episode, changes)
    return NewsMemory(item=item, episode=prev.episode, changes=changes), updated


def is_over(item: AgendaItem, now: datetime) -> bool:
    """Whether `item` has ended by `now` (an all-day item: after its last Dutch day)."""
    if item.all_day:
        last = item.ends_on or item.starts_on
        return last is not None and last < now.astimezone(LOCAL_ZONE).date()
    end = item.ends_at or item.starts_at
    return end is not None and end < now


def _in_window(item: AgendaItem, window: tuple[datetime, datetime]) -> bool:
    if is_over(item, window[0]):
        return False
    if item.all_day:
        return item.starts_on is None or item.starts_on <= window[1].astimezone(LOCAL_ZONE).date()
    return item.starts_at is None or item.starts_at <= window[1]


def detect_agenda(
    previous: Mapping[str, AgendaMemory],
    current: Sequence[AgendaItem],
    cancelled: Collection[str],
    meta: EventMeta,
    *,
    now: datetime,
    window: tuple[datetime, datetime],
    absent_runs: int,
) -> AgendaDetection:
    """Compare one successful agenda run (its occurrences within the window, and those the
    organiser cancelled) with what we knew."""
    if absent_runs < 1:
        raise ValueError("absent_runs must be at least 1")
    found = AgendaDetection()
    for item in current:
        memory, event = _agenda_seen(
            previous.get(item.item_id), item, item.item_id in cancelled, meta
        )
        found.memory[item.item_id] = memory
        if event is not None:
            found.events.append(event)
    for item_id in sorted(previous.keys() - found.memory.keys()):
        prev = previous[item_id]
        if is_over(prev.item, now) or not _in_window(prev.item, window):
            continue  # ended, or left the window: over, not cancelled
        runs = prev.absent_runs + 1
        if prev.status != "scheduled" or runs < absent_runs:
            found.memory[item_id] = prev.model_copy(update={"absent_runs": runs})
            continue
        found.memory[item_id] = prev.model_copy(update={"absent_runs": runs, "status": "gone"})
        found.events.append(_cancelled(prev.item, prev.episode, "removed_from_feed", meta))
    return found


def _agenda_seen(
    prev: AgendaMemory | None, item: AgendaItem, cancelled: bool, meta: EventMeta
) -> tuple[AgendaMemory, AgendaEvent | None]:
    if prev is None or prev.status != "scheduled":
        episode = (prev.episode if prev else 0) + (0 if cancelled else 1)
        if cancelled:  # never announced (or already over): nothing to cancel
            status: AgendaStatus = prev.status if prev else "cancelled"
            return AgendaMemory(item=item, episode=episode, status=status), None
        scheduled = _announced(AgendaScheduled, "agenda", "scheduled", item, meta, episode)
        return AgendaMemory(item=item, episode=episode), scheduled
    if cancelled:
        memory = AgendaMemory(item=item, episode=prev.episode, status="cancelled")
        return memory, _cancelled(item, prev.episode, "cancelled_by_organiser", meta)
    if fingerprint(item) == fingerprint(prev.item):
        return prev.model_copy(update={"absent_runs": 0}), None
    changes = prev.changes + 1
    changed = _announced(AgendaChanged, "agenda", "changed", item, meta, prev.episode, changes)
    return AgendaMemory(item=item, episode=prev.episode, changes=changes), changed


def _cancelled(
    item: AgendaItem,
    episode: int,
    reason: Literal["cancelled_by_organiser", "removed_from_feed"],
    meta: EventMeta,
) -> AgendaCancelled:
    return AgendaCancelled(
        event_id=deterministic_id("agenda", item.hotspot, item.item_id, "cancelled", episode),
        occurred_at=meta.occurred_at,
        source=meta.source,
        item=item,
        reason=reason,
    )


def _announced(
    event: type[Announced],
    stream: Literal["news", "agenda"],
    kind: str,
    item: NewsItem | AgendaItem,
    meta: EventMeta,
    *counters: int,
) -> Announced:
    """`event` carrying `item`, its id that of this very version of it: the kind, the
    episode and change counters and the item's fingerprint."""
    mark = fingerprint(item)
    event_id = deterministic_id(stream, item.hotspot, item.item_id, kind, *counters, mark)
    return event(event_id=event_id, occurred_at=meta.occurred_at, source=meta.source, item=item)
