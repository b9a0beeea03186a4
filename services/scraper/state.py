"""The scraper's memory per label: holdings, HTTP validators, the last good and failed runs.

Real: one key per label in the JetStream key-value bucket `scraper-state`, written with an
expected revision so two scrapers cannot silently overwrite each other. Fake: a dict.
The value is zlib-compressed JSON: cached page bodies would soon pass NATS' 1 MB payload limit.
"""

from __future__ import annotations

import zlib
from datetime import datetime
from typing import Protocol

from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue
from pydantic import BaseModel, Field, ValidationError

from contracts.labels import LabelName
from services.kit.nats_users import SCRAPER_BUCKET
from services.scraper.detect import HoldingState
from services.scraper.http import CachedPage

BUCKET = SCRAPER_BUCKET


class StateConflict(Exception):
    """Someone else saved this label's state since we loaded it."""


class RunInfo(BaseModel):
    """When a run started and ended, and why it failed if it did."""

    started_at: datetime
    finished_at: datetime
    holdings: int = 0
    reason: str | None = None


class ScraperState(BaseModel):
    """Everything the scraper keeps between runs of one label."""

    label: LabelName
    holdings: dict[str, HoldingState] = Field(default_factory=dict)
    http_cache: dict[str, CachedPage] = Field(default_factory=dict)
    cards: dict[str, str] = Field(default_factory=dict)
    last_good_holdings: int | None = None
    last_good_counting: int | None = None
    last_success: RunInfo | None = None
    last_failure: RunInfo | None = None
    next_run_at: datetime | None = None


def encode_state(state: ScraperState) -> bytes:
    """Compressed JSON of the state."""
    return zlib.compress(state.model_dump_json().encode(), level=6)


def decode_state(data: bytes) -> ScraperState:
    """The state from `encode_state`'s bytes (plain JSON is accepted too)."""
    raw = data if data.lstrip().startswith(b"{") else zlib.decompress(data)
    return ScraperState.model_validate_json(raw)


class StateStore(Protocol):
    """Loads and saves one label's state; `save` fails if another writer got in between."""

    async def load(self, label: LabelName) -> ScraperState:
        """The saved state, or an empty one for a label never scraped."""
        ...

    async def save(self, state: ScraperState) -> None:
        """Persist `state`; raises StateConflict when it changed since `load`."""
        ...


class KvStateStore:
    """State in a JetStream key-value bucket, one key per label."""

    def __init__(self, kv: KeyValue) -> None:
        self._kv = kv
        self._revisions: dict[str, int] = {}

    async def load(self, label: LabelName) -> ScraperState:
        """The saved state, or an empty one for a label never scraped."""
        try:
            entry = await self._kv.get(label)
        except KeyNotFoundError:
            self._revisions[label] = 0
            return ScraperState(label=label)
        self._revisions[label] = entry.revision or 0
        try:
            return decode_state(entry.value or b"")
        except (ValidationError, zlib.error) as exc:
            raise ValueError(f"saved scraper state for {label} is unreadable: {exc}") from exc

    async def save(self, state: ScraperState) -> None:
        """Persist `state`; raises StateConflict when it changed since `load`."""
        last = self._revisions.get(state.label, 0)
        try:
            self._revisions[state.label] = await self._kv.update(
                state.label, encode_state(state), last=last
            )
        except KeyWrongLastSequenceError as exc:
            raise StateConflict(
                f"scraper state for {state.label} changed since it was read "
                "(another scraper running?)"
            ) from exc


class FakeStateStore:
    """In-memory state store for unit tests; it round-trips through the same encoding."""

    def __init__(self) -> None:
        self.saved: dict[str, bytes] = {}
        self.saves = 0

    async def load(self, label: LabelName) -> ScraperState:
        """The saved state, or an empty one for a label never scraped."""
        data = self.saved.get(label)
        return decode_state(data) if data is not None else ScraperState(label=label)

    async def save(self, state: ScraperState) -> None:
        """Keep the encoded state."""
        self.saved[state.label] = encode_state(state)
        self.saves += 1
