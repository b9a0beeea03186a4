"""The demo hotspots' feeds: real feed and calendar parsers read them, the agenda has one
event behind and two ahead of any start, in Dutch time across a change to or from summer time,
and each timeline step changes the feeds as its printed text says."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import feedparser
import icalendar
import pytest

from services.demo.newsroom import AMSTERDAM, Newsroom
from services.demo.sites.agenda_feed import render_ics
from services.demo.sites.news_feeds import render_atom, render_rss
from services.demo.timeline import Timeline
from services.demo.world import World

pytestmark = pytest.mark.unit
BASE = "http://127.0.0.1:8123"
# A week before summer time starts (29 March 2026) and a week before it ends (25 October).
SPRING = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
AUTUMN = datetime(2026, 10, 18, 21, 30, tzinfo=UTC)


def news_text(newsroom: Newsroom, slug: str, step: int) -> str:
    hotspot = newsroom.hotspot(slug)
    render = render_rss if hotspot.news_format == "rss" else render_atom
    return render(hotspot.name, BASE, newsroom.news(slug, step), newsroom.start)


def news_document(newsroom: Newsroom, slug: str, step: int) -> Any:
    parsed = feedparser.parse(news_text(newsroom, slug, step))
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def calendar_events(newsroom: Newsroom, slug: str, step: int) -> list[icalendar.Event]:
    text = render_ics(newsroom.hotspot(slug).name, BASE, newsroom.agenda(slug, step), SPRING)
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n")), "folded at 75 octets"
    return list(icalendar.Calendar.from_ical(text).walk("VEVENT"))


def starts(event: icalendar.Event) -> datetime:
    """When an event begins, as a moment (an all-day event: its first day's midnight, Dutch)."""
    value = event.decoded("DTSTART")
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time(0), tzinfo=AMSTERDAM)


def test_one_hotspot_publishes_rss_and_one_atom_with_entities_and_a_script_to_drop() -> None:
    newsroom = Newsroom(SPRING)
    served = {h.slug: h.news_format for h in newsroom.with_feeds}
    assert served == {"zwolle": "rss", "deventer": "atom"}
    rss, atom = news_document(newsroom, "zwolle", 0), news_document(newsroom, "deventer", 0)
    assert (rss.version, atom.version) == ("rss20", "atom10")
    assert rss.entries[0].title == (
        "Inkopen bij sociale ondernemers: \u2018Het levert meer op dan je denkt\u2019"
    )
    # What the platform's sanitiser must deal with, as published (feedparser cleans its copy).
    raw_rss, raw_atom = news_text(newsroom, "zwolle", 0), news_text(newsroom, "deventer", 0)
    assert "<script>" in raw_rss and "&euro;" in raw_rss and "onclick=" in raw_rss
    assert "&lt;iframe" in raw_atom and "javascript:" in raw_atom
    assert "&amp;ndash;" in raw_atom  # an entity inside escaped HTML
    assert all(e.link.startswith(f"{BASE}/nieuws/") for e in rss.entries + atom.entries)
    published = [e.published_parsed for e in rss.entries]
    assert published == sorted(published, reverse=True)
    assert all(datetime(*e.published_parsed[:6], tzinfo=UTC) < SPRING for e in rss.entries)


@pytest.mark.parametrize("now", [SPRING, AUTUMN], ids=["spring", "autumn"])
@pytest.mark.parametrize("slug", ["zwolle", "deventer"])
def test_each_agenda_has_one_event_behind_and_two_ahead_of_the_start(
    slug: str, now: datetime
) -> None:
    events = calendar_events(Newsroom(now), slug, 0)
    behind = [e for e in events if starts(e) < now]
    ahead = [e for e in events if starts(e) > now]
    assert (len(behind), len(ahead)) == (1, 2)
    assert all(str(e["STATUS"]) == "CONFIRMED" for e in events)
    timed = [e for e in events if isinstance(e.decoded("DTSTART"), datetime)]
    assert all(e["DTSTART"].params["TZID"] == "Europe/Amsterdam" for e in timed)


@pytest.mark.parametrize(
    ("now", "offsets"),
    [
        (SPRING, (timedelta(hours=1), timedelta(hours=2))),
        (AUTUMN, (timedelta(hours=2), timedelta(hours=1))),
    ],
    ids=["into-summer-time", "out-of-summer-time"],
)
def test_local_times_keep_their_wall_clock_across_the_change_of_summer_time(
    now: datetime, offsets: tuple[timedelta, timedelta]
) -> None:
    events = {str(e["SUMMARY"]): e for e in calendar_events(Newsroom(now), "zwolle", 0)}
    past, coming = events["Impactborrel Zwolle"], events["Inkoopcafé social return"]
    assert (starts(past).utcoffset(), starts(coming).utcoffset()) == offsets
    assert (starts(past).time(), starts(coming).time()) == (time(16, 0), time(9, 30))
    assert starts(past).astimezone(UTC).hour == 16 - offsets[0].seconds // 3600


def test_an_all_day_event_has_dates_and_a_recurring_one_its_rule() -> None:
    zwolle = {str(e["SUMMARY"]): e for e in calendar_events(Newsroom(SPRING), "zwolle", 0)}
    day = zwolle["Dag van de Sociale Onderneming Regio Zwolle"]
    assert day.decoded("DTSTART") == date(2026, 4, 9)
    assert day.decoded("DTEND") == date(2026, 4, 10)  # exclusive: one day
    deventer = {str(e["SUMMARY"]): e for e in calendar_events(Newsroom(SPRING), "deventer", 0)}
    lunch = deventer["Impactlunch"]
    assert lunch["RRULE"]["FREQ"] == ["WEEKLY"] and lunch["RRULE"]["COUNT"] == [3]
    assert str(lunch["LOCATION"]) == "Stadhuis Deventer, Grote Kerkhof 4, Deventer"


class RecordingFeeds:
    def __init__(self) -> None:
        self.steps: list[int] = []

    def use(self, step: int) -> None:
        self.steps.append(step)


def test_the_timeline_moves_the_feeds_and_dates_new_items_when_the_step_is_taken() -> None:
    newsroom, feeds = Newsroom(SPRING), RecordingFeeds()
    taken = SPRING + timedelta(minutes=7)
    timeline = Timeline(World(SPRING.date()), {}, newsroom, {"zwolle": feeds}, clock=lambda: taken)
    timeline.advance()
    assert feeds.steps == [0, 1]
    assert "Spreekuur social return" in " ".join(timeline.news_expectations())
    newest = news_document(newsroom, "zwolle", 1).entries[0]
    assert newest.title == "Spreekuur social return nu elke week in Zwolle"
    assert datetime(*newest.published_parsed[:6], tzinfo=UTC) == taken


def _titles(newsroom: Newsroom, slug: str, step: int) -> list[str]:
    return [e.title for e in news_document(newsroom, slug, step).entries]


def test_each_step_changes_the_news_or_agenda_as_its_text_says() -> None:
    newsroom = Newsroom(SPRING)
    said = {step: " ".join(newsroom.expectations(step)) for step in range(6)}

    new = set(_titles(newsroom, "zwolle", 1)) - set(_titles(newsroom, "zwolle", 0))
    assert new == {"Spreekuur social return nu elke week in Zwolle"}
    assert all(title in said[1] for title in new)

    before = news_document(newsroom, "deventer", 1).entries
    after = news_document(newsroom, "deventer", 2).entries
    assert [e.id for e in before] == [e.id for e in after]
    assert (
        after[0].title == "Social Impact Markt Deventer: inschrijving verlengd" != before[0].title
    )
    assert after[0].updated_parsed > before[0].updated_parsed
    assert after[0].published_parsed == before[0].published_parsed
    assert after[0].title in said[2]

    gone = set(_titles(newsroom, "zwolle", 2)) - set(_titles(newsroom, "zwolle", 3))
    assert gone == {"Vacature: kwartiermaker social return (24 uur)"}
    assert all(title in said[3] and "tweede lezing" in said[3] for title in gone)
    assert all(title in said[4] and "ingetrokken" in said[4] for title in gone)

    cancelled = {
        str(e["SUMMARY"]): (str(e["STATUS"]), int(e["SEQUENCE"]))
        for e in calendar_events(newsroom, "deventer", 4)
        if str(e["STATUS"]) == "CANCELLED"
    }
    assert cancelled == {"Workshop: aanbesteden met social return": ("CANCELLED", 1)}
    assert "Workshop: aanbesteden met social return" in said[4]
    assert said[5] == "" and said[0] == ""


def test_a_step_that_changes_nothing_renders_the_same_documents() -> None:
    newsroom = Newsroom(SPRING)
    for slug in ("zwolle", "deventer"):
        assert newsroom.news(slug, 4) == newsroom.news(slug, 5)
        assert newsroom.agenda(slug, 4) == newsroom.agenda(slug, 5)
