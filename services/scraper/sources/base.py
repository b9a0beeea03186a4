"""What a label adapter is: fetch a registry through the polite client, return observations.

Adapters keep every site-specific detail (paths, selectors, wording) to themselves; the rest
of the scraper sees only `Observation`s, per-entry warnings and `ScrapeError`s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from contracts.labels import LabelName, Observation
from services.scraper.http import PoliteClient


@dataclass
class SourceResult:
    """A registry read completely: one observation per holding, plus what was skipped or odd."""

    observations: list[Observation] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pages: int = 0


class Source(Protocol):
    """One label registry.

    `fetch` reads the whole registry or raises a `ScrapeError` (FetchFailed, FormatChanged):
    a partial read must never look like a complete one.
    """

    label: LabelName
    base_url: str

    async def fetch(self, client: PoliteClient, today: date) -> SourceResult:
        """Read every holding; `today` decides whether each one counts."""
        ...
