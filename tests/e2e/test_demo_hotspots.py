"""The demo's hotspots, every service its own process, as a person watches them: the two
hotspots' feeds, served by the demo and read by the scraper, fill /nieuws and /agenda (the
agenda with its past and coming events, the hostile markup gone), the feed-less hotspot's
editor is named in the hotspots file the services read, and a step of the timeline changes
the news. Every expectation is derived from the demo's newsroom data.

Needs the scraper's feed reading (h-feeds) and the /nieuws and /agenda pages (h-pages).
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from contracts.hotspots import read_hotspots
from services.demo.control import request_advance
from services.demo.platform import Platform
from services.demo.world import World
from services.kit.processes import free_port
from tests.e2e.conftest import eventually

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    running = Platform(
        data_dir=tmp_path_factory.mktemp("hotspots"),
        gateway_port=free_port(),
        world=World(),
        env={
            "IMPACTOOST_SCRAPE_REQUEST_RATE": "50",
            "IMPACTOOST_SCRAPE_INTERVAL_SECONDS": "3600",
            "IMPACTOOST_DEMO_STEP_SECONDS": "0",
        },
    ).start()
    yield running
    running.stop()


def page_text(platform: Platform, path: str) -> str:
    response = httpx.get(platform.gateway_url + path.lstrip("/"), timeout=10)
    response.raise_for_status()
    return html.unescape(response.text)


def shows(platform: Platform, path: str, titles: list[str]) -> bool:
    text = page_text(platform, path)
    return all(title in text for title in titles)


def test_the_services_read_the_demos_hotspots_file(platform: Platform) -> None:
    hotspots = {h.slug: h for h in read_hotspots(platform.hotspots_file)}
    assert platform.env["IMPACTOOST_HOTSPOTS_FILE"] == str(platform.hotspots_file)
    for slug, site in platform.hotspot_sites.items():
        assert hotspots[slug].news_feed == site.news_feed
    assert hotspots["impact024"].editors == ("redactie@impact024.example",)
    assert all(p.poll() is None for p in platform.processes.values())


async def test_nieuws_shows_both_hotspots_feeds_without_their_hostile_markup(
    platform: Platform,
) -> None:
    assert platform.newsroom is not None
    titles = [
        entry.title
        for hotspot in platform.newsroom.with_feeds
        for entry in platform.newsroom.news(hotspot.slug, 0)
        if "&#" not in entry.title
    ]
    assert len(titles) >= 4

    async def listed() -> bool:
        return shows(platform, "/nieuws", titles)

    await eventually(listed, 90, "the hotspots' news on /nieuws")
    text = page_text(platform, "/nieuws")
    assert "tracker.example" not in text and "javascript:" not in text
    assert "\u2018Het levert meer op dan je denkt\u2019" in text  # entities decoded
    zwolle = page_text(platform, "/nieuws?hotspot=zwolle")
    assert "Terugblik: ondernemersontbijt bij De Kringloper" not in zwolle


async def test_agenda_shows_the_coming_events_and_the_past_ones_apart(
    platform: Platform,
) -> None:
    assert platform.newsroom is not None
    coming = ["Inkoopcafé social return", "Dag van de Sociale Onderneming Regio Zwolle"]
    coming += ["Impactlunch", "Workshop: aanbesteden met social return"]
    past = ["Impactborrel Zwolle", "Ondernemersontbijt bij De Kringloper"]

    async def listed() -> bool:
        return shows(platform, "/agenda", coming)

    await eventually(listed, 90, "the hotspots' agenda on /agenda")
    assert shows(platform, "/agenda?period=past", past)
    assert not any(title in page_text(platform, "/agenda?period=past") for title in coming)
    assert "alert('xss')" not in page_text(platform, "/agenda")


async def test_a_step_of_the_timeline_publishes_news_that_reaches_nieuws(
    platform: Platform,
) -> None:
    assert platform.newsroom is not None
    [new] = [
        e
        for e in platform.newsroom.news("zwolle", 1)
        if e.id not in {old.id for old in platform.newsroom.news("zwolle", 0)}
    ]
    assert new.title not in page_text(platform, "/nieuws")

    answer = await request_advance(platform.data_dir)
    assert (answer["advanced"], answer["step"]) == (True, 1)
    assert any(new.title in line for line in answer["news"])
    assert {(f["hotspot"], f["feed"]): f["ok"] for f in answer["feeds"]} == {
        (hotspot, feed): True for hotspot in ("zwolle", "deventer") for feed in ("news", "agenda")
    }, answer["feeds"]
    assert {f["hotspot"]: f.get("published") for f in answer["feeds"] if f["feed"] == "news"} == {
        "zwolle": 1,
        "deventer": None,
    }

    async def published() -> bool:
        return shows(platform, "/nieuws", [new.title])

    await eventually(published, 60, "the step's news item on /nieuws")
    assert page_text(platform, "/nieuws").index(new.title) < page_text(platform, "/nieuws").index(
        "Gemeente Kampen ondertekent het SROI-convenant Oost-Nederland"
    )  # newest first


async def until(
    platform: Platform, path: str, shown: list[str], gone: list[str], what: str
) -> None:
    """Wait until the page at `path` shows every title of `shown` and none of `gone`."""

    async def done() -> bool:
        text = page_text(platform, path)
        return all(t in text for t in shown) and not any(t in text for t in gone)

    await eventually(done, 60, what)


def feed_counts(answer: dict[str, Any], hotspot: str, feed: str) -> dict[str, int]:
    """What one feed read after a step published: a count per event kind."""
    [summary] = [f for f in answer["feeds"] if (f["hotspot"], f["feed"]) == (hotspot, feed)]
    assert summary["ok"], summary
    kinds = ("published", "updated", "withdrawn", "scheduled", "changed", "cancelled")
    return {kind: summary[kind] for kind in kinds if summary.get(kind)}


async def test_later_steps_update_withdraw_after_confirmation_and_cancel(
    platform: Platform,
) -> None:
    assert platform.newsroom is not None
    [old] = [e for e in platform.newsroom.news("deventer", 1) if "Markt" in e.title]
    [new] = [e for e in platform.newsroom.news("deventer", 2) if e.id == old.id]

    step_2 = await request_advance(platform.data_dir)
    assert feed_counts(step_2, "deventer", "news") == {"updated": 1}
    await until(platform, "/nieuws", shown=[new.title], gone=[old.title], what="the update")

    [gone] = [
        e
        for e in platform.newsroom.news("zwolle", 2)
        if e.id not in {kept.id for kept in platform.newsroom.news("zwolle", 3)}
    ]
    step_3 = await request_advance(platform.data_dir)
    # Off the feed, read once: not yet withdrawn.
    assert feed_counts(step_3, "zwolle", "news") == {}
    assert gone.title in page_text(platform, "/nieuws")

    step_4 = await request_advance(platform.data_dir)
    assert feed_counts(step_4, "zwolle", "news") == {"withdrawn": 1}  # the second read confirms
    assert feed_counts(step_4, "deventer", "agenda") == {"cancelled": 1}
    await until(platform, "/nieuws", shown=[], gone=[gone.title], what="the withdrawal")
    agenda = page_text(platform, "/agenda?hotspot=deventer")
    workshop = agenda.index("Workshop: aanbesteden met social return")
    assert "Geannuleerd" in agenda[workshop : workshop + 600]
