"""The outgoing feeds and the JSON API of the hotspots' news and agenda: RSS read back with
feedparser, iCalendar with icalendar, links under the configured public address whatever
the request's Host, conditional GET like every page."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import icalendar

from tests.unit.gateway.news_agenda_app import PUBLIC, client_of, hotspot_app
from tests.unit.gateway.test_news_agenda_pages import NEWS, agenda_events

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


async def test_the_news_feed_is_rss_that_feedparser_reads_with_public_links(
    tmp_path: Path,
) -> None:
    with hotspot_app(tmp_path, news=NEWS) as app:
        async with client_of(app) as client:
            response = await client.get("/nieuws.rss", headers={"Host": "localhost"})
            regional = await client.get("/nieuws/regio-zwolle.rss")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/rss+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "rss20"
    assert feed.feed.link == f"{PUBLIC}/nieuws"
    assert [e.title for e in feed.entries] == [
        "Nijmegen zoekt sociaal ondernemers",
        "Zwolle koopt sociaal in",
    ]
    nijmegen, zwolle = feed.entries
    assert zwolle.link == "https://impact-zwolle.example/nieuws/nieuws-zwolle"
    assert nijmegen.link == "https://impact024.example/"
    assert zwolle.id == "impactoost.example:nieuws:impact-zwolle:nieuws-zwolle"
    assert zwolle.published_parsed[:5] == (2026, 3, 20, 9, 0)
    assert "Sociaal inkopen in de regio." in zwolle.summary
    only_zwolle = feedparser.parse(regional.content)
    assert [e.title for e in only_zwolle.entries] == ["Zwolle koopt sociaal in"]
    assert only_zwolle.feed.link == f"{PUBLIC}/nieuws?region=regio-zwolle"
    self_links = [link.href for link in only_zwolle.feed.links if link.rel == "self"]
    assert self_links == [f"{PUBLIC}/nieuws/regio-zwolle.rss"]


def calendar_events(body: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


async def test_the_agenda_feed_is_icalendar_that_icalendar_reads_back(tmp_path: Path) -> None:
    with hotspot_app(tmp_path, agenda=agenda_events()) as app:
        async with client_of(app) as client:
            response = await client.get("/agenda/stedendriehoek-en-noordwest-veluwe.ics")
            again = await client.get("/agenda.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    events = calendar_events(response.content)
    assert "Verdwenen sessie" not in events
    assert set(events) == {
        "Winterborrel",
        "Zomerborrel",
        "Lunch vandaag",
        "Inkoopbeurs",
        "Afgelaste sessie",
        "Vorige bijeenkomst",
        "Oude beurs",
    }
    winter, summer = events["Winterborrel"], events["Zomerborrel"]
    # Across the switch to summer time: the same 14:00 in Dutch time, an hour apart in UTC.
    assert winter.decoded("DTSTART") == datetime(2026, 3, 28, 13, 0, tzinfo=UTC)
    assert summer.decoded("DTSTART") == datetime(2026, 3, 30, 12, 0, tzinfo=UTC)
    for event in (winter, summer):
        local = event.decoded("DTSTART").astimezone(AMSTERDAM)
        assert (local.hour, local.minute) == (14, 0)
    assert winter.decoded("DTEND") == datetime(2026, 3, 28, 15, 0, tzinfo=UTC)
    fair = events["Inkoopbeurs"]
    assert fair.decoded("DTSTART") == date(2026, 4, 14)
    assert fair.decoded("DTEND") == date(2026, 4, 16)  # exclusive: the fair ends on the 15th
    assert str(events["Afgelaste sessie"]["STATUS"]) == "CANCELLED"
    assert str(winter["STATUS"]) == "CONFIRMED"
    assert str(winter["UID"]) == "impact-deventer-agenda-winter@impactoost.example"
    assert str(winter["URL"]) == "https://impact-deventer.example/agenda/agenda-winter"
    assert str(winter["LOCATION"]) == "Deventer, Stadhuis"
    assert winter.decoded("DTSTAMP").tzinfo is not None
    description = str(winter["DESCRIPTION"])
    assert "Kennismaken met sociaal ondernemers." in description
    assert "Impact Deventer" in description and "<" not in description
    assert "Geannuleerd" in str(events["Afgelaste sessie"]["DESCRIPTION"])
    uids = {str(e["UID"]) for e in calendar_events(again.content).values()}
    assert str(winter["UID"]) in uids  # the same item keeps its UID in every feed


async def test_feeds_answer_a_conditional_get_with_not_modified(tmp_path: Path) -> None:
    with hotspot_app(tmp_path, news=NEWS, agenda=agenda_events()) as app:
        async with client_of(app) as client:
            for path in ("/nieuws.rss", "/agenda.ics", "/nieuws", "/agenda"):
                first = await client.get(path)
                tag = first.headers["etag"]
                second = await client.get(path, headers={"If-None-Match": tag})
                assert second.status_code == 304, path
                assert second.headers["etag"] == tag


async def test_a_feed_of_an_unknown_region_is_not_found(tmp_path: Path) -> None:
    with hotspot_app(tmp_path) as app:
        async with client_of(app) as client:
            assert (await client.get("/nieuws/atlantis.rss")).status_code == 404
            empty = await client.get("/agenda/zeeland.ics")
    assert empty.status_code == 200
    assert calendar_events(empty.content) == {}


async def test_the_api_gives_news_and_agenda_with_the_pages_filters(tmp_path: Path) -> None:
    with hotspot_app(tmp_path, news=NEWS, agenda=agenda_events()) as app:
        async with client_of(app) as client:
            news = (await client.get("/api/v1/news", params={"region": "rijk-van-nijmegen"})).json()
            coming = (await client.get("/api/v1/agenda")).json()
            past = (await client.get("/api/v1/agenda", params={"period": "past"})).json()
            unknown = await client.get("/api/v1/news", params={"hotspot": "nergens"})
            malformed = await client.get("/api/v1/agenda", params={"page": "nul"})
    assert [item["title"] for item in news["items"]] == ["Nijmegen zoekt sociaal ondernemers"]
    assert news["items"][0]["hotspot"] == {
        "slug": "impact024",
        "name": "IMPACT024",
        "region": "Rijk van Nijmegen",
        "website": "https://impact024.example/",
    }
    assert news["items"][0]["url"] == "https://impact024.example/"
    assert [item["item_id"] for item in coming["items"]][:2] == ["agenda-today", "agenda-winter"]
    statuses = {item["item_id"]: item["status"] for item in coming["items"]}
    assert statuses["agenda-off"] == "cancelled" and "agenda-removed" not in statuses
    assert [item["item_id"] for item in past["items"]] == ["agenda-past", "agenda-older"]
    assert unknown.status_code == 404 and unknown.json()["detail"]
    assert malformed.status_code == 422
