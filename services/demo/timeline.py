"""The demo's timeline: moves every demo registry, and the hotspots' feeds, from one step of
the world to the next.

Each step becomes a page set `stap-<n>` on every registry site, built from the world's entries
for that step; advancing switches all sites to the next one, and the hotspots' sites to that
step's news and agenda (services/demo/newsroom.py). The last step is final: advancing past it
changes nothing and says so.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from contracts.labels import LabelName
from services.demo.newsroom import Newsroom
from services.demo.world import Step, World


class DemoRegistry(Protocol):
    """What the timeline needs of a demo site (PsoSite, CodesoSite, SenlSite, CedrisSite)."""

    def define_page_set(self, name: str, entries: list[dict[str, Any]]) -> None:
        """Add a page set."""

    def use(self, state: str) -> None:
        """Serve a page set from now on."""


def page_set(step: int) -> str:
    """The page set name of a step."""
    return f"stap-{step}"


class HotspotFeeds(Protocol):
    """What the timeline needs of a demo hotspot's site (HotspotSite)."""

    def use(self, step: int) -> None:
        """Serve the feeds as they stand at `step` from now on."""


class Timeline:
    """Where the demo registries and hotspots are in the world's timeline; serves step 0 from
    the start. `clock` dates the steps' news items when they are taken."""

    def __init__(
        self,
        world: World,
        sites: Mapping[LabelName, DemoRegistry],
        newsroom: Newsroom | None = None,
        feeds: Mapping[str, HotspotFeeds] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.world = world
        self.sites = dict(sites)
        self.newsroom = newsroom
        self.feeds = dict(feeds or {})
        self._clock = clock
        self.step = 0
        self._lock = threading.Lock()
        self._apply(0)

    @property
    def at_end(self) -> bool:
        """Whether the final step has been reached."""
        return self.step >= self.world.last_step

    @property
    def current(self) -> Step:
        """The step the registries show now."""
        return self.world.steps[self.step]

    def news_expectations(self) -> list[str]:
        """What the current step changes on /nieuws and /agenda (none without hotspots)."""
        return [] if self.newsroom is None else self.newsroom.expectations(self.step)

    def advance(self) -> Step | None:
        """Move every registry to the next step and return it; None when already at the end."""
        with self._lock:
            if self.at_end:
                return None
            self._apply(self.step + 1)
            self.step += 1
            return self.current

    def _apply(self, step: int) -> None:
        for label, site in self.sites.items():
            site.define_page_set(page_set(step), self.world.entries(label, step))
            site.use(page_set(step))
        if self.newsroom is not None and step > 0:
            self.newsroom.record_step(step, self._clock())
        for feed in self.feeds.values():
            feed.use(step)
