"""The hotspots of the operator's file as the pages use them: by slug, by region. Items of a
hotspot not in the file are kept in the read model but not shown: without the file's entry
there is no name, region or website to show them with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from contracts.base import utc_now
from contracts.hotspots import Hotspot
from contracts.places import regions
from contracts.subjects import slug


@dataclass(frozen=True)
class Region:
    """A labour-market region with hotspots, and its URL part."""

    name: str
    slug: str


class UnknownChoice(ValueError):
    """A region or hotspot asked for that is not known; the message is Dutch."""


@dataclass(frozen=True)
class Selection:
    """Which hotspots a page or feed shows (in the file's order), and the region or hotspot
    chosen."""

    hotspots: tuple[Hotspot, ...]
    region: Region | None = None
    hotspot: Hotspot | None = None


@dataclass
class HotspotDirectory:
    """Built by the composition root from the settings' hotspots."""

    hotspots: tuple[Hotspot, ...]
    public_base_url: str
    now: Callable[[], datetime] = utc_now
    _by_slug: dict[str, Hotspot] = field(init=False)

    def __post_init__(self) -> None:
        self._by_slug = {hotspot.slug: hotspot for hotspot in self.hotspots}

    def named(self, hotspot_slug: str) -> Hotspot | None:
        """The hotspot with this slug, or None."""
        return self._by_slug.get(hotspot_slug)

    def regions(self) -> tuple[Region, ...]:
        """The regions that have hotspots, sorted by name."""
        names = sorted({hotspot.region for hotspot in self.hotspots})
        return tuple(Region(name, slug(name)) for name in names)

    def select(self, region_slug: str | None = None, hotspot_slug: str | None = None) -> Selection:
        """The hotspots of a region and/or one hotspot (every hotspot without either);
        `UnknownChoice` for a region or hotspot not known here. A known labour-market region
        without hotspots selects none."""
        chosen = self.hotspots
        region = None
        if region_slug:
            name = next((r for r in regions() if slug(r) == region_slug), None)
            if name is None:
                raise UnknownChoice("Onbekende regio. Kies een arbeidsmarktregio uit de lijst.")
            region = Region(name, region_slug)
            chosen = tuple(h for h in chosen if h.region == name)
        hotspot = None
        if hotspot_slug:
            hotspot = self.named(hotspot_slug)
            if hotspot is None:
                raise UnknownChoice("Onbekende hotspot. Kies een hotspot uit de lijst.")
            chosen = tuple(h for h in chosen if h.slug == hotspot_slug)
        return Selection(chosen, region, hotspot)

    def absolute(self, path: str) -> str:
        """An absolute link to `path` under the configured public base URL (never the
        request's Host)."""
        return f"{self.public_base_url.rstrip('/')}{path}"
