"""The demo's timeline: moves every demo registry from one step of the world to the next.

Each step becomes a page set `stap-<n>` on every site, built from the world's entries for that
step; advancing switches all sites to the next one. The last step is final: advancing past it
changes nothing and says so.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, Protocol

from contracts.labels import LabelName
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


class Timeline:
    """Where the demo registries are in the world's timeline; serves step 0 from the start."""

    def __init__(self, world: World, sites: Mapping[LabelName, DemoRegistry]) -> None:
        self.world = world
        self.sites = dict(sites)
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
