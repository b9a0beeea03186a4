"""The scraper's health report shows its feeds, and a failing one makes it degraded."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from services.scraper.feeds.health import ScraperHealthCheck

pytestmark = pytest.mark.unit


def _feeds(*rows: dict[str, Any]) -> Any:
    async def section() -> Mapping[str, Any]:
        return {"feeds": list(rows)} if rows else {}

    return section


def _row(feed: str, ok: bool) -> dict[str, Any]:
    return {
        "hotspot": "zwolle",
        "feed": feed,
        "url": f"https://impactzwolle.test/{feed}",
        "ok": ok,
        "items": 4,
        "last_success_at": None,
        "last_failure_at": None,
        "last_failure": None if ok else "feed vanished: GET … answered HTTP 410",
    }


async def test_a_failing_feed_makes_the_report_degraded_and_says_which() -> None:
    check = ScraperHealthCheck("scraper", extra=_feeds(_row("news", False), _row("agenda", True)))
    report = await check.report(None)
    assert report.status == "degraded"
    assert "feed news of zwolle failing: feed vanished: GET … answered HTTP 410" in report.problems
    assert [row["feed"] for row in (report.model_extra or {})["feeds"]] == ["news", "agenda"]


async def test_feeds_that_work_add_no_problem() -> None:
    check = ScraperHealthCheck("scraper", extra=_feeds(_row("news", True)))
    report = await check.report(None)
    assert report.problems == ["not connected to NATS"]  # the kit's own, nothing of the feeds
    assert (report.model_extra or {})["feeds"][0]["ok"] is True


async def test_without_feeds_the_report_has_no_feeds_section() -> None:
    report = await ScraperHealthCheck("scraper", extra=_feeds()).report(None)
    assert "feeds" not in (report.model_extra or {})
