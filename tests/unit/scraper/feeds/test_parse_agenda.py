"""iCalendar documents, realistic and broken, to agenda items: zones, all-day, recurrences."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from contracts.agenda import AgendaItem
from services.scraper.feeds.items import FeedUnusable
from services.scraper.feeds.parse_agenda import parse_agenda
from tests.unit.scraper.feeds.builders import feed_text

pytestmark = pytest.mark.unit
URL = "https://impactzwolle.test/agenda.ics"
WINDOW = (datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 12, 1, tzinfo=UTC))


def _items(text: str | None = None) -> dict[str, list[AgendaItem]]:
    parsed = parse_agenda(text or feed_text("agenda.ics"), URL, "zwolle", window=WINDOW)
    found: dict[str, list[AgendaItem]] = {}
    for item in parsed.items:
        found.setdefault(item.title, []).append(item)
    return found


def test_a_weekly_rrule_expands_without_its_exdate_and_with_its_moved_occurrence() -> None:
    items = _items()
    weekly = items["Netwerkavond sociaal ondernemen"]
    moved = items["Netwerkavond sociaal ondernemen (verplaatst)"]
    # 17 March (CET, UTC+1), 24 March excluded, 31 March moved to 1 April, 7 April (CEST)
    assert [i.starts_at for i in weekly] == [
        datetime(2027, 3, 17, 18, 0, tzinfo=UTC),
        datetime(2027, 4, 7, 17, 0, tzinfo=UTC),
    ]
    assert [i.starts_at for i in moved] == [datetime(2027, 4, 1, 18, 0, tzinfo=UTC)]
    assert weekly[1].ends_at == datetime(2027, 4, 7, 19, 30, tzinfo=UTC)
    assert len({i.item_id for i in (*weekly, *moved)}) == 3


def test_a_moved_occurrence_keeps_the_id_of_its_original_start() -> None:
    text = feed_text("agenda.ics")
    unmoved = text.replace(
        "RECURRENCE-ID;TZID=Europe/Amsterdam:20270331T190000\n"
        "DTSTART;TZID=Europe/Amsterdam:20270401T200000",
        "RECURRENCE-ID;TZID=Europe/Amsterdam:20270331T190000\n"
        "DTSTART;TZID=Europe/Amsterdam:20270331T190000",
    )
    assert unmoved != text
    moved_id = _items()["Netwerkavond sociaal ondernemen (verplaatst)"][0].item_id
    back = _items(unmoved)["Netwerkavond sociaal ondernemen (verplaatst)"][0]
    assert back.item_id == moved_id
    assert back.starts_at == datetime(2027, 3, 31, 17, 0, tzinfo=UTC)


def test_utc_and_floating_times_are_read_as_utc_and_dutch_time() -> None:
    items = _items()
    assert items["Inkoopcaf\u00e9 met de gemeente"][0].starts_at == datetime(
        2027, 1, 15, 12, 0, tzinfo=UTC
    )
    assert items["Spreekuur voor starters"][0].starts_at == datetime(2027, 2, 10, 9, 0, tzinfo=UTC)


def test_all_day_events_have_inclusive_dates_and_no_times() -> None:
    items = _items()
    week = items["Impactweek Overijssel"][0]
    day = items["Koningsdagmarkt"][0]
    assert (week.all_day, week.starts_on, week.ends_on) == (
        True,
        date(2027, 5, 10),
        date(2027, 5, 12),
    )
    assert week.starts_at is None and week.ends_at is None
    assert (day.starts_on, day.ends_on) == (date(2027, 4, 27), date(2027, 4, 27))


def test_text_location_and_links_are_checked() -> None:
    items = _items()
    weekly = items["Netwerkavond sociaal ondernemen"][0]
    assert weekly.location == "Broerenkerk, Broerenkerkplein 4, Zwolle"
    assert "<script>" not in weekly.description_html
    assert weekly.description_html.startswith("<p>Kennismaken met sociale ondernemers.</p>")
    assert items["Inkoopcaf\u00e9 met de gemeente"][0].link == (
        "https://impactzwolle.test/agenda/inkoopcafe"
    )
    assert items["Impactweek Overijssel"][0].link is None


def test_a_cancelled_event_is_read_and_marked_cancelled() -> None:
    parsed = parse_agenda(feed_text("agenda.ics"), URL, "zwolle", window=WINDOW)
    cancelled = [i for i in parsed.items if i.item_id in parsed.cancelled]
    assert [i.title for i in cancelled] == ["Workshop impactmeting"]


def test_broken_events_are_warnings_and_the_others_stay() -> None:
    parsed = parse_agenda(feed_text("agenda.ics"), URL, "zwolle", window=WINDOW)
    assert any("zonder-begin" in w and "DTSTART" in w for w in parsed.warnings)
    assert any("zonder-titel" in w and "SUMMARY" in w for w in parsed.warnings)
    assert len(parsed.items) == 8


def test_only_occurrences_within_the_window_are_items() -> None:
    narrow = (datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 4, 3, tzinfo=UTC))
    parsed = parse_agenda(feed_text("agenda.ics"), URL, "zwolle", window=narrow)
    assert sorted(i.title for i in parsed.items) == [
        "Netwerkavond sociaal ondernemen",
        "Netwerkavond sociaal ondernemen (verplaatst)",
    ]


def test_times_across_the_dst_change_keep_their_wall_clock_time() -> None:
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//NL\r\nBEGIN:VEVENT\r\nUID:dst@t\r\n"
        "DTSTART;TZID=Europe/Amsterdam:20261024T100000\r\n"
        "DTEND;TZID=Europe/Amsterdam:20261024T110000\r\n"
        "RRULE:FREQ=DAILY;COUNT=2\r\nSUMMARY:Koffie\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )  # no VTIMEZONE: the TZID is an IANA name
    window = (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))
    parsed = parse_agenda(text, URL, "zwolle", window=window)
    assert [i.starts_at for i in parsed.items] == [
        datetime(2026, 10, 24, 8, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 9, 0, tzinfo=UTC),
    ]


def test_a_runaway_rrule_fails_the_document() -> None:
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//NL\r\nBEGIN:VEVENT\r\nUID:flood@t\r\n"
        "DTSTART:20270101T000000Z\r\nRRULE:FREQ=HOURLY\r\nSUMMARY:Spam\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    with pytest.raises(FeedUnusable, match="occurrences"):
        parse_agenda(text, URL, "zwolle", window=WINDOW)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty document"),
        (feed_text("not-a-feed.html"), "an HTML page"),
        (feed_text("news.rss"), "no iCalendar document"),
        ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:nonsense\r\n", "unreadable iCalendar"),
    ],
)
def test_a_document_that_is_no_calendar_is_refused_with_a_clear_reason(
    text: str, message: str
) -> None:
    with pytest.raises(FeedUnusable, match=message):
        parse_agenda(text, URL, "zwolle", window=WINDOW)
