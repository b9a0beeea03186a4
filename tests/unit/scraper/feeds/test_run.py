"""One feed run on a fake web: published once, conditional re-runs, failed runs that keep
everything, and the schedule's list of feeds."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from contracts.agenda import AgendaScheduled
from contracts.hotspots import Hotspot
from contracts.news import NewsPublished
from contracts.subjects import agenda_subject, news_subject
from services.kit.publications import UndeclaredSubject, check_declared
from services.scraper.config import ScraperSettings
from services.scraper.feeds.run import FeedRun
from services.scraper.feeds.service import build_feed_run, feed_problems, feeds_of
from services.scraper.feeds.state import FakeFeedStateStore
from services.scraper.http import HttpPolicy
from services.scraper.publications import scraper_publications
from tests.unit.scraper.fakes import FakePublisher, FakeWeb
from tests.unit.scraper.feeds.builders import NOW, feed_text

pytestmark = pytest.mark.unit
FEED = "https://impactzwolle.test/feed/"
AGENDA = "https://impactzwolle.test/agenda.ics"
POLICY = HttpPolicy(
    user_agent="impactoost-test/1 (+https://example.org/contact)",
    requests_per_second=1000,
    max_attempts=2,
    backoff_seconds=0.0,
)


def _rss(body: str, etag: str = '"v1"') -> httpx.Response:
    return httpx.Response(
        200, text=body, headers={"content-type": "application/rss+xml", "etag": etag}
    )


def _conditional(body: str, etag: str = '"v1"') -> object:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.headers.get("if-none-match") == etag:
            return httpx.Response(304, headers={"etag": etag})
        return _rss(body, etag)

    return answer


class Feed:
    """Runs of one feed with a remembered state and a recording publisher."""

    def __init__(self, web: FakeWeb, kind: str = "news", url: str = FEED) -> None:
        self.web, self.kind, self.url = web, kind, url
        self.store = FakeFeedStateStore()
        self.publisher = FakePublisher()

    async def run(self, *, dry: bool = False) -> object:
        self.publisher.published.clear()
        return await FeedRun(
            hotspot="zwolle",
            kind=self.kind,  # type: ignore[arg-type]
            url=self.url,
            store=self.store,
            publisher=None if dry else self.publisher,
            policy=POLICY,
            event_source="test",
            absent_runs=2,
            transport=self.web.transport(),
            clock=lambda: NOW,
        ).run()


async def test_a_news_feed_is_published_once_and_a_304_rerun_publishes_nothing() -> None:
    web = FakeWeb().serve(FEED, _conditional(feed_text("news.rss")))  # type: ignore[arg-type]
    feed = Feed(web)
    first = await feed.run()
    assert first.ok and first.items == 4  # type: ignore[attr-defined]
    assert feed.publisher.subjects() == ["impact.v1.news.zwolle.published"] * 4
    assert all(isinstance(e, NewsPublished) for _, e in feed.publisher.published)
    second = await feed.run()
    assert second.ok and second.not_modified == 1  # type: ignore[attr-defined]
    assert feed.publisher.published == []
    feed_requests = [r for r in web.requests if r.url.path == "/feed/"]
    assert feed_requests[-1].headers["if-none-match"] == '"v1"'
    assert "application/rss+xml" in feed_requests[-1].headers["accept"]


async def test_broken_entries_are_counted_as_warnings_of_a_good_run() -> None:
    feed = Feed(FakeWeb().serve(FEED, _rss(feed_text("news.rss"))))
    outcome = await feed.run()
    assert outcome.ok  # type: ignore[attr-defined]
    assert outcome.summary()["warnings"] == 4  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (httpx.Response(404, text="weg"), "feed vanished"),
        (httpx.Response(410, text="weg"), "feed vanished"),
        (httpx.Response(503, text="druk"), "failed after 2 attempts"),
        (httpx.Response(200, text=feed_text("not-a-feed.html")), "an HTML page"),
        (httpx.Response(200, text=""), "empty document"),
        (_rss('<?xml version="1.0"?><rss version="2.0"><channel/></rss>'), "only 0 items"),
    ],
)
async def test_a_failed_run_withdraws_nothing_and_keeps_what_it_knew(
    answer: httpx.Response, reason: str
) -> None:
    web = FakeWeb().serve(FEED, _rss(feed_text("news.rss"), '"v1"'), answer)
    feed = Feed(web)
    await feed.run()
    known = (await feed.store.load("zwolle", "news")).news
    for _ in range(3):  # more than the confirmation runs
        outcome = await feed.run()
        assert not outcome.ok and reason in (outcome.reason or "")  # type: ignore[attr-defined]
        assert feed.publisher.published == []
    state = await feed.store.load("zwolle", "news")
    assert state.news == known
    assert state.last_failure is not None and reason in (state.last_failure.reason or "")
    assert feed_problems(
        [
            {
                "hotspot": "zwolle",
                "feed": "news",
                "ok": False,
                "last_failure": state.last_failure.reason,
            }
        ]
    )


async def test_robots_txt_that_forbids_the_feed_fails_the_run() -> None:
    web = FakeWeb().serve(
        "https://impactzwolle.test/robots.txt",
        httpx.Response(200, text="User-agent: *\nDisallow: /feed/\n"),
    )
    web.serve(FEED, _rss(feed_text("news.rss")))
    outcome = await Feed(web).run()
    assert not outcome.ok and "robots.txt" in (outcome.reason or "")  # type: ignore[attr-defined]
    assert all(r.url.path != "/feed/" for r in web.requests)


async def test_a_dry_run_publishes_and_remembers_nothing() -> None:
    feed = Feed(FakeWeb().serve(FEED, _rss(feed_text("news.rss"))))
    outcome = await feed.run(dry=True)
    assert outcome.ok and len(outcome.events) == 4  # type: ignore[attr-defined]
    assert feed.publisher.published == [] and feed.store.saved == {}


async def test_an_agenda_feed_publishes_its_occurrences_on_the_agenda_subjects() -> None:
    calendar = httpx.Response(
        200, text=feed_text("agenda.ics"), headers={"content-type": "text/calendar"}
    )
    feed = Feed(FakeWeb().serve(AGENDA, calendar), kind="agenda", url=AGENDA)
    outcome = await feed.run()
    assert outcome.ok  # type: ignore[attr-defined]
    # 8 occurrences read; the cancelled one was never announced, so it is not published
    assert feed.publisher.subjects() == ["impact.v1.agenda.zwolle.scheduled"] * 7
    assert all(isinstance(e, AgendaScheduled) for _, e in feed.publisher.published)
    assert outcome.summary()["warnings"] == 3  # type: ignore[attr-defined]


def _hotspots_file(tmp_path: Path) -> Path:
    path = tmp_path / "hotspots.json"
    path.write_text(
        json.dumps(
            [
                {
                    "slug": "zwolle",
                    "name": "Impact Zwolle",
                    "region": "Regio Zwolle",
                    "website": "https://impactzwolle.test/",
                    "news_feed": FEED,
                    "agenda_feed": AGENDA,
                },
                {
                    "slug": "deventer",
                    "name": "Impact Deventer",
                    "region": "Stedendriehoek en Noordwest Veluwe",
                    "website": "https://impactdeventer.test/",
                    "editors": ["redactie@impactdeventer.test"],
                },
            ]
        ),
        encoding="utf-8",
    )
    return path


def test_only_the_hotspots_feeds_are_scheduled_not_editor_only_hotspots(tmp_path: Path) -> None:
    settings = ScraperSettings(hotspots_file=_hotspots_file(tmp_path))
    assert [(h.slug, kind, url) for h, kind, url in feeds_of(settings.hotspots)] == [
        ("zwolle", "news", FEED),
        ("zwolle", "agenda", AGENDA),
    ]


def test_a_feed_run_takes_its_rules_from_the_settings(tmp_path: Path) -> None:
    settings = ScraperSettings(
        hotspots_file=_hotspots_file(tmp_path),
        scrape_absent_runs_to_lapse=3,
        scrape_min_holdings_ratio=0.25,
        feed_agenda_days_back=7,
        feed_agenda_days_ahead=30,
    )
    zwolle: Hotspot = settings.hotspots[0]
    run = build_feed_run(settings, zwolle, "agenda", store=FakeFeedStateStore(), publisher=None)
    assert (run.url, run.absent_runs, run.min_items_ratio) == (AGENDA, 3, 0.25)
    start, end = run.window.around(datetime(2027, 1, 10, tzinfo=UTC))
    assert (start.day, end.month, end.day) == (3, 2, 9)
    with pytest.raises(ValueError, match="no news feed"):
        build_feed_run(
            settings, settings.hotspots[1], "news", store=FakeFeedStateStore(), publisher=None
        )


def test_the_scraper_declares_the_hotspots_news_and_agenda_subjects() -> None:
    declared = scraper_publications()
    check_declared(declared, news_subject("zwolle", "withdrawn"))
    check_declared(declared, agenda_subject("nijmegen", "cancelled"))
    with pytest.raises(UndeclaredSubject):
        check_declared(declared, "impact.v1.news.zwolle.extra.published")
