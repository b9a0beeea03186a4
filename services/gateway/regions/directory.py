"""The regions' wired parts: which regions this gateway presents, their coordinators, the
chart's span and the clock."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from contracts.base import utc_now
from contracts.places import municipalities, regions
from contracts.subjects import slug
from services.gateway.regions.coordinators import Coordinator, load_coordinators


@dataclass
class RegionDirectory:
    """Built by the composition root; the coordinators file is read by `load` at start-up."""

    coordinators_file: Path | None
    provinces: tuple[str, ...]
    months: int
    now: Callable[[], datetime] = utc_now
    coordinators: Mapping[str, tuple[Coordinator, ...]] = field(default_factory=dict)

    def load(self) -> None:
        """Read and check the coordinators file (raises CoordinatorsFileError)."""
        self.coordinators = load_coordinators(self.coordinators_file)

    def presented(self) -> tuple[str, ...]:
        """The labour-market regions with a municipality in the provinces shown (all when
        every province is shown), sorted."""
        if not self.provinces:
            return regions()
        shown = set(self.provinces)
        return tuple(
            sorted({m.labour_market_region for m in municipalities() if slug(m.province) in shown})
        )

    def path_of(self, region: str | None) -> str | None:
        """The path of the region's page, when it is a region presented here."""
        if not region or self.named(slug(region)) != region:
            return None
        return f"/regios/{slug(region)}"

    def named(self, region_slug: str) -> str | None:
        """The region presented under `region_slug`, or None."""
        return next((region for region in self.presented() if slug(region) == region_slug), None)
