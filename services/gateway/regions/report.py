"""Everything shown about one region, read once for its page and its API answer alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from services.gateway.regions.coordinators import Coordinator
from services.gateway.regions.directory import RegionDirectory
from services.gateway.regions.history import MonthPoint, monthly_series
from services.gateway.regions.queries import CategoryGroup, by_category, changes_since, listed_in


@dataclass(frozen=True)
class RegionReport:
    """A region's enterprises by category, its coordinators and its months."""

    region: str
    groups: list[CategoryGroup]
    coordinators: tuple[Coordinator, ...]
    points: list[MonthPoint]

    @property
    def listed(self) -> int:
        """How many of its enterprises are listed now."""
        return self.points[-1].listed


def region_report(session: Session, directory: RegionDirectory, region: str) -> RegionReport:
    """Read the region's figures as of the directory's clock."""
    now = directory.now()
    since = _chart_start(now, directory.months)
    points = monthly_series(
        listed_in(session, region), changes_since(session, region, since), now, directory.months
    )
    return RegionReport(
        region, by_category(session, region), directory.coordinators.get(region, ()), points
    )


def _chart_start(now: datetime, months: int) -> datetime:
    """A moment safely before the first charted month (changes before it do not matter)."""
    return now - timedelta(days=31 * months + 1)
