"""What the scrape tests against the demo registries share: an HTTP policy for a local site
and runs of the real runner that keep their state between runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contracts.labels import LabelChanged, LabelGranted, LabelLapsed
from services.demo.sites.registry_site import RegistrySite
from services.scraper.http import HttpPolicy
from services.scraper.outcome import RunOutcome
from services.scraper.runner import ScrapeRun
from services.scraper.sources.base import Source
from services.scraper.state import FakeStateStore
from tests.unit.scraper.fakes import FakePublisher

# ScraperSettings for a local demo site: quick, with quick retries.
LOCAL_SITE_SETTINGS: dict[str, Any] = {
    "scrape_request_rate": 50.0,
    "scrape_backoff_seconds": 0.01,
    "scrape_max_attempts": 3,
    "scrape_timeout_seconds": 5.0,
}


def local_policy(requests_per_second: float) -> HttpPolicy:
    """The polite client's policy for a local demo site: quick, with quick retries."""
    return HttpPolicy(
        user_agent="impactoost-test/1 (+https://example.org/contact)",
        requests_per_second=requests_per_second,
        max_attempts=3,
        backoff_seconds=0.01,
        timeout_seconds=5.0,
    )


class RunnerScraper:
    """Runs of the real runner against one demo site, remembering state between runs."""

    def __init__(
        self,
        site: RegistrySite,
        source: Callable[[str], Source],
        policy: HttpPolicy,
        absent_runs_to_lapse: int = 1,
    ) -> None:
        self.site = site
        self.source = source
        self.policy = policy
        self.store = FakeStateStore()
        self.publisher = FakePublisher()
        self.absent_runs_to_lapse = absent_runs_to_lapse

    async def run(self) -> RunOutcome:
        """One run; its events are in `publisher.published`."""
        self.publisher.published.clear()
        return await ScrapeRun(
            source=self.source(self.site.base_url),
            store=self.store,
            publisher=self.publisher,
            policy=self.policy,
            event_source="test",
            absent_runs_to_lapse=self.absent_runs_to_lapse,
        ).run()

    def ids(self, kind: str) -> set[str]:
        """Holding ids of the last run's label events of `kind`."""
        found = set()
        for _, event in self.publisher.published:
            if isinstance(event, LabelGranted | LabelChanged) and event.kind == kind:
                found.add(event.observation.holding_id)
            elif isinstance(event, LabelLapsed) and kind == "lapsed":
                found.add(event.holding_id)
        return found
