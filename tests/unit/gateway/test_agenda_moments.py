"""Agenda times in Dutch: summer and winter time, today and tomorrow, all-day ranges; item
HTML as plain text for calendars."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.gateway.hotspot_items.markup import clean_html, plain_text
from services.gateway.hotspot_items.moments import item_span, when_text
from tests.unit.gateway.news_agenda_events import NOW, agenda_item, all_day


def timed(start: datetime, end: datetime | None = None) -> str:
    return when_text(
        all_day=False, starts_at=start, ends_at=end, starts_on=None, ends_on=None, now=NOW
    )


def days(first: date, last: date | None = None) -> str:
    return when_text(
        all_day=True, starts_at=None, ends_at=None, starts_on=first, ends_on=last, now=NOW
    )


def test_timed_items_are_told_in_dutch_time_on_either_side_of_the_clock_change() -> None:
    assert timed(datetime(2026, 3, 28, 13, 0, tzinfo=UTC)) == "morgen, 14:00 uur"
    assert (
        timed(datetime(2026, 3, 29, 0, 30, tzinfo=UTC), datetime(2026, 3, 29, 1, 30, tzinfo=UTC))
        == "zondag 29 maart 2026, 01:30–03:30 uur"
    )
    assert (
        timed(datetime(2026, 10, 24, 20, 0, tzinfo=UTC), datetime(2026, 10, 25, 9, 0, tzinfo=UTC))
        == "zaterdag 24 oktober 2026, 22:00 uur tot zondag 25 oktober 2026, 10:00 uur"
    )
    assert timed(datetime(2026, 3, 27, 18, 0, tzinfo=UTC)) == "vandaag, 19:00 uur"


def test_all_day_items_are_dates_and_several_days_a_range() -> None:
    assert days(date(2026, 3, 27)) == "vandaag (hele dag)"
    assert days(date(2026, 4, 14), date(2026, 4, 14)) == "dinsdag 14 april 2026 (hele dag)"
    assert days(date(2026, 3, 28), date(2026, 3, 30)) == "morgen tot en met maandag 30 maart 2026"


def test_an_all_day_item_spans_its_dutch_days_and_a_timed_one_without_end_its_start() -> None:
    start, end = item_span(all_day("agenda-span", date(2026, 3, 28), date(2026, 3, 29)))
    assert start == datetime(2026, 3, 27, 23, 0, tzinfo=UTC)  # midnight, winter time
    assert end == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)  # midnight, summer time
    moment = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)
    assert item_span(agenda_item(starts_at=moment, ends_at=None)) == (moment, moment)


def test_item_html_becomes_plain_text_with_its_line_breaks() -> None:
    html = clean_html("<p>Eerste &amp; <b>beste</b></p><ul><li>een</li><li>twee</li></ul>x<br>y")
    assert plain_text(html) == "Eerste & beste\neen\ntwee\nx\ny"
    assert plain_text(clean_html("<script>alert(1)</script>Veilig")) == "Veilig"
