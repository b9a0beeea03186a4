"""The scraper's memory per hotspot feed, in the same `scraper-state` bucket as the labels':
one key per feed (`feed.<hotspot>.<kind>`), written with an expected revision, compressed JSON.
Fake: a dict, through the same encoding."""

from __future__ import annotations

import zlib
from typing import Protocol

from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue
from pydantic import BaseModel, Field, ValidationError

from services.scraper.feeds.detect import AgendaMemory, NewsMemory
from services.scraper.feeds.items import FeedKind
from services.scraper.http import CachedPage
from services.scraper.state import RunInfo, StateConflict


class FeedState(BaseModel):
    """Everything the scraper keeps between runs of one hotspot's feed."""

    hotspot: str
    kind: FeedKind
    news: dict[str, NewsMemory] = Field(default_factory=dict)
    agenda: dict[str, AgendaMemory] = Field(default_factory=dict)
    http_cache: dict[str, CachedPage] = Field(default_factory=dict)
    last_good_items: int | None = Field(
        default=None, description="Items (agenda: upcoming ones) the last good run read"
    )
    last_success: RunInfo | None = None
    last_failure: RunInfo | None = None

    @property
    def key(self) -> str:
        """Its key in the bucket."""
        return feed_key(self.hotspot, self.kind)


def feed_key(hotspot: str, kind: FeedKind) -> str:
    """`feed.<hotspot>.<kind>`: beside the labels' keys, never equal to one."""
    return f"feed.{hotspot}.{kind}"


def encode_feed_state(state: FeedState) -> bytes:
    """Compressed JSON of the state."""
    return zlib.compress(state.model_dump_json().encode(), level=6)


def decode_feed_state(data: bytes) -> FeedState:
    """The state from `encode_feed_state`'s bytes."""
    return FeedState.model_validate_json(zlib.decompress(data))


class FeedStateStore(Protocol):
    """Loads and saves one feed's state; `save` fails if another writer got in between."""

    async def load(self, hotspot: str, kind: FeedKind) -> FeedState:
        """The saved state, or an empty one for a feed never read."""
        ...

    async def save(self, state: FeedState) -> None:
        """Persist `state`; raises StateConflict when it changed since `load`."""
        ...


class KvFeedStateStore:
    """Feed state in the scraper's key-value bucket."""

    def __init__(self, kv: KeyValue) -> None:
        self._kv = kv
        self._revisions: dict[str, int] = {}

    async def load(self, hotspot: str, kind: FeedKind) -> FeedState:
        """The saved state, or an empty one for a feed never read."""
        key = feed_key(hotspot, kind)
        try:
            entry = await self._kv.get(key)
        except KeyNotFoundError:
            self._revisions[key] = 0
            return FeedState(hotspot=hotspot, kind=kind)
        self._revisions[key] = entry.revision or 0
        try:
            return decode_feed_state(entry.value or b"")
        except (ValidationError, zlib.error) as exc:
            raise ValueError(f"saved state of feed {key} is unreadable: {exc}") from exc

    async def save(self, state: FeedState) -> None:
        """Persist `state`; raises StateConflict when it changed since `load`."""
        key = state.key
        try:
            self._revisions[key] = await self._kv.update(
                key, encode_feed_state(state), last=self._revisions.get(key, 0)
            )
        except KeyWrongLastSequenceError as exc:
            raise StateConflict(
                f"state of feed {key} changed since it was read (another scraper running?)"
            ) from exc


class FakeFeedStateStore:
    """In-memory feed state for unit tests, round-tripped through the same encoding."""

    def __init__(self) -> None:
        self.saved: dict[str, bytes] = {}

    async def load(self, hotspot: str, kind: FeedKind) -> FeedState:
        """The saved state, or an empty one for a feed never read."""
        data = self.saved.get(feed_key(hotspot, kind))
        return (
            decode_feed_state(data) if data is not None else FeedState(hotspot=hotspot, kind=kind)
        )

    async def save(self, state: FeedState) -> None:
        """Keep the encoded state."""
        self.saved[state.key] = encode_feed_state(state)
