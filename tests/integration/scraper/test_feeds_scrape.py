"""Hotspot feeds read from a local web server and published on a real nats-server as the
authenticated scraper: once, not again when unchanged (304), withdrawn only after the
confirmation runs, never by a failed run; and the feeds' part of the scraper's health."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import nats
import pytest
from faststream import TestApp
from nats.js.errors import NotFoundError

from contracts.subjects import AGENDA_STREAM, NEWS_STREAM, SCRAPE_COMMANDS
from services.demo.sites.server import DemoSite, Response
from services.kit.health_requests import ask_health
from services.kit.nats_access import connect
from services.scraper.config import ScraperSettings
from services.scraper.feeds.state import KvFeedStateStore
from services.scraper.main import create_app, feed_once
from services.scraper.state import BUCKET, StateConflict
from tests.fixtures.servers import NatsUsers, running_nats
from tests.integration.test_cli import impactoost
from tests.unit.scraper.feeds.builders import feed_text

pytestmark = pytest.mark.integration
RSS = "application/rss+xml; charset=utf-8"


class FeedSite:
    """A hotspot's website serving its news feed and agenda, whose documents tests change."""

    def __init__(self) -> None:
        self.documents: dict[str, Response] = {
            "/feed/": Response(200, feed_text("news.rss"), RSS),
            "/agenda.ics": Response(200, calendar(), "text/calendar; charset=utf-8"),
        }
        self.site = DemoSite(self._render)

    def _render(self, path: str, query: dict[str, list[str]]) -> Response:
        return self.documents.get(path, Response(404, "niet gevonden"))

    @property
    def base_url(self) -> str:
        return self.site.base_url

    def conditional_answers(self, path: str) -> list[int]:
        """The statuses of the conditional requests for `path`."""
        return [r.status for r in self.site.requests if r.path == path and r.conditional]


def calendar(*, cancelled: bool = False, without_second: bool = False) -> str:
    """An agenda with two evenings in the coming weeks (Dutch time, across any DST change)."""
    first = datetime.now(UTC) + timedelta(days=10)
    second = first + timedelta(days=30)
    events = [("avond-1@zwolle.test", first, "Netwerkavond", cancelled)]
    if not without_second:
        events.append(("avond-2@zwolle.test", second, "Inkoopcaf\u00e9", False))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Impact Zwolle//NL"]
    for uid, day, title, off in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            "DTSTAMP:20261201T090000Z",
            f"DTSTART;TZID=Europe/Amsterdam:{day:%Y%m%d}T190000",
            f"DTEND;TZID=Europe/Amsterdam:{day:%Y%m%d}T213000",
            f"SUMMARY:{title}",
            *(["STATUS:CANCELLED"] if off else []),
            "END:VEVENT",
        ]
    return "\r\n".join([*lines, "END:VCALENDAR", ""])


@pytest.fixture(scope="module")
def users(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsUsers]:
    with running_nats(tmp_path_factory.mktemp("feeds-nats")) as found:
        yield found


@pytest.fixture
async def clean(users: NatsUsers) -> NatsUsers:
    """The module's server without the streams and state an earlier test left."""
    nc = await nats.connect(users.url())
    js = nc.jetstream()
    for stream in (NEWS_STREAM.name, AGENDA_STREAM.name, f"KV_{BUCKET}"):
        with contextlib.suppress(NotFoundError):
            await js.delete_stream(stream)
    await nc.close()
    return users


@pytest.fixture
async def site() -> AsyncIterator[FeedSite]:
    served = FeedSite()
    yield served
    served.site.stop()


def settings_for(users: NatsUsers, site: FeedSite, tmp_path: Path, **more: Any) -> ScraperSettings:
    """The scraper as the `scraper` user, with one hotspot whose feeds `site` serves."""
    hotspots = tmp_path / "hotspots.json"
    hotspots.write_text(
        json.dumps(
            [
                {
                    "slug": "zwolle",
                    "name": "Impact Zwolle",
                    "region": "Regio Zwolle",
                    "website": site.base_url,
                    "news_feed": f"{site.base_url}/feed/",
                    "agenda_feed": f"{site.base_url}/agenda.ics",
                }
            ]
        ),
        encoding="utf-8",
    )
    return ScraperSettings(
        nats_url=users.url("scraper"),
        data_dir=tmp_path,
        hotspots_file=hotspots,
        scrape_labels=[],
        scrape_request_rate=50.0,
        scrape_max_attempts=2,
        scrape_backoff_seconds=0.0,
        scrape_absent_runs_to_lapse=2,
        **more,
    )


async def stored(users: NatsUsers, stream: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(subject, Nats-Msg-Id, body) of every message in `stream`, oldest first."""
    nc = await nats.connect(users.url())
    js = nc.jetstream()
    try:
        info = await js.stream_info(stream)
        found = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            msg = await js.get_msg(stream, seq)
            msg_id = (msg.headers or {}).get("Nats-Msg-Id", "")
            found.append((msg.subject or "", msg_id, json.loads(msg.data or b"{}")))
        return found
    finally:
        await nc.close()


async def test_news_is_published_once_and_an_unchanged_rerun_asks_conditionally(
    clean: NatsUsers, site: FeedSite, tmp_path: Path
) -> None:
    settings = settings_for(clean, site, tmp_path)
    first = await feed_once(settings, "zwolle", "news")
    assert first.ok, first.reason
    messages = await stored(clean, "NEWS")
    assert [subject for subject, _, _ in messages] == ["impact.v1.news.zwolle.published"] * 4
    assert [msg_id for _, msg_id, _ in messages] == [body["event_id"] for _, _, body in messages]
    titles = {body["item"]["title"] for _, _, body in messages}
    assert "Ondernemers & gemeente tekenen impactpact" in titles
    assert all("<script" not in body["item"]["summary_html"] for _, _, body in messages)

    second = await feed_once(settings, "zwolle", "news")
    assert second.ok and second.events == []
    assert (second.pages_fetched, second.not_modified) == (0, 2)  # robots.txt and the feed
    assert site.conditional_answers("/feed/") == [304]
    assert len(await stored(clean, "NEWS")) == 4


async def test_a_vanished_item_is_withdrawn_after_the_confirmation_runs_only(
    clean: NatsUsers, site: FeedSite, tmp_path: Path
) -> None:
    settings = settings_for(clean, site, tmp_path)
    assert (await feed_once(settings, "zwolle", "news")).ok
    without = feed_text("news.rss").replace("Inloopochtend voor starters", "X", 0)
    start = without.index("<item>", without.index("Ondernemers"))
    end = without.index("</item>", start) + len("</item>")
    site.documents["/feed/"] = Response(200, without[:start] + without[end:], RSS)
    site.site.touch()

    once = await feed_once(settings, "zwolle", "news")
    assert once.ok and once.events == []
    twice = await feed_once(settings, "zwolle", "news")
    assert [(e.kind, getattr(e, "reason", None)) for e in twice.events] == [
        ("withdrawn", "removed_from_feed")
    ]
    subjects = [subject for subject, _, _ in await stored(clean, "NEWS")]
    assert subjects[-1] == "impact.v1.news.zwolle.withdrawn"
    assert (await feed_once(settings, "zwolle", "news")).events == []


@pytest.mark.parametrize(
    "broken",
    [
        Response(404, "niet gevonden"),
        Response(410, "weg"),
        Response(200, "<!DOCTYPE html><html><body>Onderhoud</body></html>"),
        Response(200, "", RSS),
    ],
)
async def test_a_failed_run_withdraws_nothing_and_shows_in_health(
    clean: NatsUsers, site: FeedSite, tmp_path: Path, broken: Response
) -> None:
    settings = settings_for(clean, site, tmp_path)
    assert (await feed_once(settings, "zwolle", "news")).ok
    before = await stored(clean, "NEWS")
    site.documents["/feed/"] = broken
    site.site.touch()
    for _ in range(settings.scrape_absent_runs_to_lapse + 1):
        outcome = await feed_once(settings, "zwolle", "news")
        assert not outcome.ok and outcome.reason
    assert await stored(clean, "NEWS") == before

    async with TestApp(create_app(settings.model_copy(update={"feed_interval_seconds": 3600}))):
        nc = await connect(clean.url("gateway"), allow_reconnect=False, connect_timeout=5)
        try:
            report = await _report_after_first_round(nc)
        finally:
            await nc.close()
    assert report.status == "degraded"
    assert any(p.startswith("feed news of zwolle failing") for p in report.problems)
    feeds = {row["feed"]: row for row in (report.model_extra or {})["feeds"]}
    assert feeds["news"]["ok"] is False and feeds["agenda"]["ok"] is True


async def _report_after_first_round(nc: Any) -> Any:
    """The scraper's health once its first round of feeds has been recorded."""
    async with asyncio.timeout(60):
        while True:
            report = await ask_health(nc, "scraper", timeout=2.0)
            rows = (report.model_extra or {}).get("feeds") or []
            recorded = all(row["last_success_at"] or row["last_failure_at"] for row in rows)
            if (
                rows
                and recorded
                and any(r["feed"] == "agenda" and r["last_success_at"] for r in rows)
            ):
                return report
            await asyncio.sleep(0.2)


async def test_an_agenda_is_scheduled_cancelled_by_its_organiser_and_removed(
    clean: NatsUsers, site: FeedSite, tmp_path: Path
) -> None:
    settings = settings_for(clean, site, tmp_path)
    first = await feed_once(settings, "zwolle", "agenda")
    assert first.ok and [e.kind for e in first.events] == ["scheduled", "scheduled"]
    assert (await feed_once(settings, "zwolle", "agenda")).events == []

    site.documents["/agenda.ics"] = Response(200, calendar(cancelled=True), "text/calendar")
    site.site.touch()
    off = await feed_once(settings, "zwolle", "agenda")
    assert [(e.kind, getattr(e, "reason", None)) for e in off.events] == [
        ("cancelled", "cancelled_by_organiser")
    ]
    assert (await feed_once(settings, "zwolle", "agenda")).events == []

    site.documents["/agenda.ics"] = Response(200, calendar(without_second=True), "text/calendar")
    site.site.touch()
    back = await feed_once(settings, "zwolle", "agenda")
    assert [e.kind for e in back.events] == ["scheduled"]  # un-cancelled; the other unconfirmed
    gone = await feed_once(settings, "zwolle", "agenda")
    assert [(e.kind, getattr(e, "reason", None)) for e in gone.events] == [
        ("cancelled", "removed_from_feed")
    ]
    messages = await stored(clean, "AGENDA")
    assert [s.rsplit(".", 1)[1] for s, _, _ in messages] == [
        "scheduled",
        "scheduled",
        "cancelled",
        "scheduled",
        "cancelled",
    ]
    assert len({msg_id for _, msg_id, _ in messages}) == 5


async def test_the_cli_reads_one_hotspots_feed_once_and_refuses_unknown_ones(
    clean: NatsUsers, site: FeedSite, tmp_path: Path
) -> None:
    settings = settings_for(clean, site, tmp_path)
    env = {
        "IMPACTOOST_NATS_URL": clean.url("scraper"),
        "IMPACTOOST_HOTSPOTS_FILE": str(settings.hotspots_file),
        "IMPACTOOST_SCRAPE_BACKOFF_SECONDS": "0",
    }
    once = await asyncio.to_thread(
        impactoost,
        "scrape",
        "feeds",
        "--once",
        "--hotspot",
        "zwolle",
        "--feed",
        "agenda",
        tmp_path=tmp_path,
        **env,
    )
    assert once.returncode == 0, once.stderr
    (summary,) = [json.loads(line) for line in once.stdout.splitlines()]
    assert (summary["hotspot"], summary["feed"], summary["ok"], summary["scheduled"]) == (
        "zwolle",
        "agenda",
        True,
        2,
    )
    assert len(await stored(clean, "AGENDA")) == 2

    unknown = await asyncio.to_thread(
        impactoost, "scrape", "feeds", "--once", "--hotspot", "deventer", tmp_path=tmp_path, **env
    )
    assert unknown.returncode == 2
    assert "no such feed" in unknown.stderr and "zwolle" in unknown.stderr

    site.documents["/feed/"] = Response(410, "weg")
    failed = await asyncio.to_thread(
        impactoost, "scrape", "feeds", "--once", "--feed", "news", tmp_path=tmp_path, **env
    )
    assert failed.returncode == 1
    assert "feed news of zwolle failed: feed vanished" in failed.stderr


async def test_two_writers_of_one_feeds_state_cannot_overwrite_each_other(
    clean: NatsUsers,
) -> None:
    nc = await nats.connect(clean.url())
    try:
        kv = await nc.jetstream().create_key_value(bucket=BUCKET)
        first, second = KvFeedStateStore(kv), KvFeedStateStore(kv)
        mine = await first.load("zwolle", "news")
        theirs = await second.load("zwolle", "news")
        await first.save(mine.model_copy(update={"last_good_items": 4}))
        with pytest.raises(StateConflict, match=r"feed\.zwolle\.news"):
            await second.save(theirs.model_copy(update={"last_good_items": 1}))
        assert (await second.load("zwolle", "news")).last_good_items == 4
    finally:
        await nc.close()


async def test_a_feed_is_read_on_request_as_the_demo_asks_and_bad_requests_are_answered(
    clean: NatsUsers, site: FeedSite, tmp_path: Path
) -> None:
    settings = settings_for(clean, site, tmp_path, feed_interval_seconds=3600)
    async with TestApp(create_app(settings)):
        nc = await connect(clean.url("demo"), allow_reconnect=False, connect_timeout=5)
        try:
            ask = json.dumps({"hotspot": "zwolle", "feed": "news"}).encode()
            # The schedule's first round may hold the feed's lock: the request waits for it.
            answer = json.loads((await nc.request(SCRAPE_COMMANDS, ask, timeout=30)).data)
            unknown = json.dumps({"hotspot": "nergens", "feed": "agenda"}).encode()
            missing = json.loads((await nc.request(SCRAPE_COMMANDS, unknown, timeout=10)).data)
            both = json.dumps({"label": "pso", "hotspot": "zwolle", "feed": "news"}).encode()
            refused = json.loads((await nc.request(SCRAPE_COMMANDS, both, timeout=10)).data)
            unreadable = await nc.request(SCRAPE_COMMANDS, b"pso", timeout=10)
        finally:
            await nc.close()
    assert answer["hotspot"] == "zwolle" and answer["feed"] == "news" and answer["ok"] is True
    assert answer["items"] >= 1
    assert missing == {
        "hotspot": "nergens",
        "feed": "agenda",
        "ok": False,
        "reason": "no such feed in the hotspots file",
    }
    # A request naming a label and a feed, or no JSON at all, is answered with why, not run.
    assert refused["ok"] is False and "not both" in refused["reason"]
    assert json.loads(unreadable.data)["ok"] is False
    news = await stored(clean, "NEWS")
    assert news and all(subject.startswith("impact.v1.news.zwolle.") for subject, _, _ in news)
