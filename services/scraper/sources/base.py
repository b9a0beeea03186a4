"""What a label adapter is: fetch a registry through the polite client, return observations.

Adapters keep every site-specific detail (paths, selectors, wording) to themselves; the rest
of the scraper sees only `Observation`s, per-entry warnings and `ScrapeError`s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Protocol

from contracts.labels import LabelName, Observation
from services.scraper.http import PoliteClient


@dataclass(frozen=True)
class KnownHolding:
    """What the last successful run read for a holding: the card (listing entry) it saw, as a
    hash, and the observation it built. An adapter whose listing card is unchanged reuses the
    observation instead of fetching the holding's profile page again."""

    card: str
    observation: Observation


NOTHING_KNOWN: Mapping[str, KnownHolding] = MappingProxyType({})


@dataclass
class SourceResult:
    """A registry read completely: one observation per holding, plus what was skipped or odd.

    `cards` maps holding ids to the hash of their listing card, for adapters that read
    profile pages (remembered for the next run's `known`). `request_shapes` names, per
    endpoint whose request shape is uncertain, the known shape that worked."""

    observations: list[Observation] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pages: int = 0
    cards: dict[str, str] = field(default_factory=dict)
    request_shapes: dict[str, str] = field(default_factory=dict)


class Source(Protocol):
    """One label registry.

    `fetch` reads the whole registry or raises a `ScrapeError` (FetchFailed, FormatChanged):
    a partial read must never look like a complete one.
    """

    label: LabelName
    base_url: str

    async def fetch(
        self, client: PoliteClient, today: date, known: Mapping[str, KnownHolding] = NOTHING_KNOWN
    ) -> SourceResult:
        """Read every holding; `today` decides whether each one counts; `known` is what the
        last successful run read (empty on a first or dry run)."""
        ...
