"""The demo hotspots' websites over real HTTP: the hotspots file points at feeds they serve,
and the feeds answer conditional requests as the registries do (304 while unchanged, a new
document once a step changes them), gzipped, beside a robots.txt."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import feedparser
import httpx
import icalendar
import pytest

from contracts.hotspots import read_hotspots
from services.demo.hotspots_file import serve_hotspots
from services.demo.newsroom import Newsroom
from services.demo.sites.hotspot import HotspotSite

pytestmark = pytest.mark.integration


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[dict[str, HotspotSite], Path]]:
    sites: dict[str, HotspotSite] = {}
    path = tmp_path / "hotspots.json"
    try:
        serve_hotspots(Newsroom(), sites, path)
        yield sites, path
    finally:
        for site in sites.values():
            site.stop()


def test_the_hotspots_file_points_at_feeds_the_demo_serves(
    served: tuple[dict[str, HotspotSite], Path],
) -> None:
    sites, path = served
    feeds = [h for h in read_hotspots(path) if h.has_feed]
    assert {h.slug for h in feeds} == set(sites) == {"zwolle", "deventer"}
    for hotspot in feeds:
        assert hotspot.news_feed and hotspot.agenda_feed
        news = httpx.get(hotspot.news_feed)
        assert news.status_code == 200
        assert news.headers["Content-Type"].startswith(
            ("application/rss+xml", "application/atom+xml")
        )
        parsed = feedparser.parse(news.content)
        assert not parsed.bozo and len(parsed.entries) >= 2
        article = httpx.get(parsed.entries[0].link)
        assert article.status_code == 200 and "<article>" in article.text
        agenda = httpx.get(hotspot.agenda_feed)
        assert agenda.headers["Content-Type"] == "text/calendar; charset=utf-8"
        assert len(icalendar.Calendar.from_ical(agenda.content).walk("VEVENT")) == 3
        assert httpx.get(hotspot.website + "robots.txt").text.startswith("User-agent: *")


@pytest.mark.parametrize("feed", ["news_feed", "agenda_feed"])
def test_a_feed_answers_304_until_a_step_changes_it(
    served: tuple[dict[str, HotspotSite], Path], feed: str
) -> None:
    site = served[0]["deventer"]  # its news changes at step 2, its agenda at step 4
    url = getattr(site, feed)
    first = httpx.get(url, headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200 and first.headers["Content-Encoding"] == "gzip"
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]

    again = httpx.get(url, headers={"If-None-Match": etag, "Accept-Encoding": "gzip"})
    assert (again.status_code, again.content) == (304, b"")
    assert httpx.get(url, headers={"If-Modified-Since": modified}).status_code == 304

    site.use(1)  # nothing of Deventer's changes at step 1: the same document, a 304
    assert (
        httpx.get(url, headers={"If-None-Match": etag, "Accept-Encoding": "gzip"}).status_code
        == 304
    )
    site.use(4)
    changed = httpx.get(url, headers={"If-None-Match": etag, "Accept-Encoding": "gzip"})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.content != first.content
    log = [
        (r.path, r.status, r.conditional)
        for r in site.requests
        if r.path == url.removeprefix(site.base_url)
    ]
    assert [status for _, status, _ in log] == [200, 304, 304, 304, 200]
