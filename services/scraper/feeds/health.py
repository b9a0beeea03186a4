"""The scraper's health check: the kit's, plus a `feeds` section whose failing feeds make the
report `degraded` (the kit judges only what every service has)."""

from __future__ import annotations

from dataclasses import dataclass

from nats.js import JetStreamContext

from services.kit.health import HealthCheck, ServiceHealth
from services.scraper.feeds.service import feed_problems


@dataclass(frozen=True)
class ScraperHealthCheck(HealthCheck):
    """HealthCheck whose `extra` gives the `feeds` section (FeedService.health)."""

    async def report(self, js: JetStreamContext | None) -> ServiceHealth:
        """The kit's report, degraded as well for each feed whose last run failed."""
        report = await super().report(js)
        problems = feed_problems((report.model_extra or {}).get("feeds"))
        if not problems:
            return report
        return report.model_copy(
            update={"problems": [*report.problems, *problems], "status": "degraded"}
        )
