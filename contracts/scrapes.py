"""Scrape run outcomes, so operators and other regions can see how fresh the listings are."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from contracts.base import Event, Frozen
from contracts.labels import LabelName


class ScrapeStats(Frozen):
    """Counters of one run."""

    pages_fetched: int = 0
    not_modified: int = 0
    bytes_received: int = Field(
        default=0, description="Body bytes the registry sent, as sent (compressed where it was)"
    )
    holdings: int = 0
    counting: int = 0
    warnings: int = Field(default=0, description="Entries skipped or read with a warning")
    duration_seconds: float = 0.0


class ScrapeCompleted(Event):
    """A scrape run read the whole registry and emitted its label events."""

    kind: Literal["completed"] = "completed"
    label: LabelName
    started_at: datetime
    stats: ScrapeStats
    granted: int = 0
    changed: int = 0
    lapsed: int = 0
    next_run_at: datetime | None = Field(default=None, description="Next scheduled run, if any")


class ScrapeFailed(Event):
    """A scrape run failed; no lapse was emitted for it."""

    kind: Literal["failed"] = "failed"
    label: LabelName
    started_at: datetime
    reason: str = Field(max_length=2000)
    stats: ScrapeStats
    next_run_at: datetime | None = Field(default=None, description="Next scheduled run, if any")
