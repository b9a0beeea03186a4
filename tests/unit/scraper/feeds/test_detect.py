"""Feed detection as a story: announced once, changed once per change, withdrawn or cancelled
only after the confirmation runs, and never for what aged out or ended."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest

from contracts.agenda import AgendaCancelled, AgendaChanged, AgendaItem, AgendaScheduled
from contracts.news import NewsItem, NewsPublished, NewsUpdated, NewsWithdrawn
from services.scraper.feeds.detect import (
    AgendaMemory,
    EventMeta,
    NewsMemory,
    detect_agenda,
    detect_news,
    is_over,
)
from tests.unit.scraper.feeds.builders import NOW, all_day, news, timed

pytestmark = pytest.mark.unit
META = EventMeta(occurred_at=NOW, source="test")
WINDOW = (NOW - timedelta(days=60), NOW + timedelta(days=365))


class NewsFeed:
    """Successive runs of a news feed, remembering as the run does."""

    def __init__(self, absent_runs: int = 2) -> None:
        self.memory: dict[str, NewsMemory] = {}
        self.absent_runs = absent_runs

    def run(self, *items: NewsItem) -> list[object]:
        found = detect_news(self.memory, items, META, absent_runs=self.absent_runs)
        self.memory = found.memory
        return list(found.events)


class Agenda:
    """Successive runs of an agenda feed at `now`, remembering as the run does."""

    def __init__(self, absent_runs: int = 2) -> None:
        self.memory: dict[str, AgendaMemory] = {}
        self.absent_runs = absent_runs

    def run(
        self, *items: AgendaItem, cancelled: Sequence[str] = (), now: datetime = NOW
    ) -> list[object]:
        window = (now - timedelta(days=60), now + timedelta(days=365))
        found = detect_agenda(
            self.memory,
            items,
            set(cancelled),
            META,
            now=now,
            window=window,
            absent_runs=self.absent_runs,
        )
        self.memory = found.memory
        return list(found.events)


def test_new_items_are_published_once_and_an_unchanged_rerun_publishes_nothing() -> None:
    feed = NewsFeed()
    first = feed.run(news("item-aaaa", 20), news("item-bbbb", 21))
    assert [type(e) for e in first] == [NewsPublished, NewsPublished]
    assert feed.run(news("item-aaaa", 20), news("item-bbbb", 21)) == []


def test_the_same_run_repeated_before_saving_gives_the_same_event_ids() -> None:
    items = (news("item-aaaa", 20), news("item-bbbb", 21))
    first = detect_news({}, items, META, absent_runs=2)
    again = detect_news({}, items, EventMeta(NOW + timedelta(hours=1), "test"), absent_runs=2)
    assert [e.event_id for e in first.events] == [e.event_id for e in again.events]


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Nieuwe titel"},
        {"summary_html": "<p>Andere tekst.</p>"},
        {"link": "https://impactzwolle.test/elders"},
        {"updated_at": datetime(2026, 11, 25, tzinfo=UTC)},
    ],
)
def test_a_changed_item_is_updated_once_per_change(change: dict[str, object]) -> None:
    feed = NewsFeed()
    feed.run(news("item-aaaa", 20))
    events = feed.run(news("item-aaaa", 20, **change))
    assert [type(e) for e in events] == [NewsUpdated]
    assert feed.run(news("item-aaaa", 20, **change)) == []
    back = feed.run(news("item-aaaa", 20))
    assert [type(e) for e in back] == [NewsUpdated]
    assert back[0].event_id != events[0].event_id  # type: ignore[attr-defined]


def test_a_vanished_item_is_withdrawn_only_after_the_confirmation_runs() -> None:
    feed = NewsFeed(absent_runs=3)
    feed.run(news("item-aaaa", 10), news("item-bbbb", 20), news("item-cccc", 21))
    assert feed.run(news("item-aaaa", 10), news("item-cccc", 21)) == []
    assert feed.run(news("item-aaaa", 10), news("item-cccc", 21)) == []
    third = feed.run(news("item-aaaa", 10), news("item-cccc", 21))
    assert len(third) == 1 and isinstance(third[0], NewsWithdrawn)
    assert (third[0].item_id, third[0].reason) == ("item-bbbb", "removed_from_feed")
    assert feed.run(news("item-aaaa", 10), news("item-cccc", 21)) == []


def test_an_item_that_comes_back_before_confirmation_is_not_withdrawn() -> None:
    feed = NewsFeed(absent_runs=2)
    feed.run(news("item-aaaa", 10), news("item-bbbb", 20))
    feed.run(news("item-aaaa", 10))
    assert feed.run(news("item-aaaa", 10), news("item-bbbb", 20)) == []
    assert feed.run(news("item-aaaa", 10)) == []  # the count starts again


def test_an_item_older_than_the_oldest_still_held_aged_out_and_is_not_withdrawn() -> None:
    feed = NewsFeed(absent_runs=1)
    feed.run(news("item-oldd", 5), news("item-midd", 10), news("item-neww", 20))
    events = feed.run(news("item-midd", 10), news("item-neww", 20), news("item-late", 25))
    assert [type(e) for e in events] == [NewsPublished]
    assert "item-oldd" not in feed.memory


def test_a_withdrawn_item_that_returns_is_published_again_under_a_new_id() -> None:
    feed = NewsFeed(absent_runs=1)
    first = feed.run(news("item-aaaa", 10), news("item-bbbb", 20))
    feed.run(news("item-aaaa", 10))
    again = feed.run(news("item-aaaa", 10), news("item-bbbb", 20))
    assert [type(e) for e in again] == [NewsPublished]
    assert again[0].event_id != first[1].event_id  # type: ignore[attr-defined]


SOON = datetime(2027, 1, 15, 18, 0, tzinfo=UTC)


def test_agenda_items_are_scheduled_once_and_changed_when_their_time_or_place_moves() -> None:
    agenda = Agenda()
    assert [type(e) for e in agenda.run(timed("occ-aaaa", SOON))] == [AgendaScheduled]
    assert agenda.run(timed("occ-aaaa", SOON)) == []
    moved = agenda.run(timed("occ-aaaa", SOON + timedelta(days=1)))
    assert [type(e) for e in moved] == [AgendaChanged]
    elsewhere = agenda.run(timed("occ-aaaa", SOON + timedelta(days=1), location="Deventer"))
    assert [type(e) for e in elsewhere] == [AgendaChanged]


def test_an_organisers_cancellation_is_published_once_and_an_uncancel_schedules_again() -> None:
    agenda = Agenda()
    agenda.run(timed("occ-aaaa", SOON))
    cancelled = agenda.run(timed("occ-aaaa", SOON), cancelled=["occ-aaaa"])
    assert len(cancelled) == 1 and isinstance(cancelled[0], AgendaCancelled)
    assert cancelled[0].reason == "cancelled_by_organiser"
    assert agenda.run(timed("occ-aaaa", SOON), cancelled=["occ-aaaa"]) == []
    back = agenda.run(timed("occ-aaaa", SOON))
    assert [type(e) for e in back] == [AgendaScheduled]
    again = agenda.run(timed("occ-aaaa", SOON), cancelled=["occ-aaaa"])
    assert again[0].event_id != cancelled[0].event_id  # type: ignore[attr-defined]


def test_an_item_first_seen_cancelled_is_not_announced() -> None:
    agenda = Agenda()
    assert agenda.run(timed("occ-aaaa", SOON), cancelled=["occ-aaaa"]) == []
    assert [type(e) for e in agenda.run(timed("occ-aaaa", SOON))] == [AgendaScheduled]


def test_a_vanished_upcoming_item_is_cancelled_after_the_confirmation_runs() -> None:
    agenda = Agenda(absent_runs=2)
    agenda.run(timed("occ-aaaa", SOON), timed("occ-bbbb", SOON))
    assert agenda.run(timed("occ-aaaa", SOON)) == []
    events = agenda.run(timed("occ-aaaa", SOON))
    assert len(events) == 1 and isinstance(events[0], AgendaCancelled)
    assert (events[0].item.item_id, events[0].reason) == ("occ-bbbb", "removed_from_feed")
    assert agenda.run(timed("occ-aaaa", SOON)) == []


def test_an_item_that_ended_or_left_the_window_is_not_cancelled() -> None:
    agenda = Agenda(absent_runs=1)
    past = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
    agenda.run(
        timed("occ-past", past),
        all_day("day-past", date(2026, 11, 28), date(2026, 11, 30)),
        timed("occ-soon", SOON),
    )
    assert agenda.run(timed("occ-soon", SOON)) == []
    assert set(agenda.memory) == {"occ-soon"}
    later = NOW + timedelta(days=90)  # occ-soon has ended, and left the window
    assert agenda.run(now=later) == []


def test_an_all_day_item_is_over_only_after_its_last_dutch_day() -> None:
    item = all_day("day-aaaa", date(2026, 11, 30), date(2026, 12, 1))
    late_on_last_day = datetime(2026, 12, 1, 22, 30, tzinfo=UTC)  # 23:30 in Amsterdam
    assert not is_over(item, late_on_last_day)
    assert is_over(item, datetime(2026, 12, 1, 23, 30, tzinfo=UTC))  # 00:30 the day after


def test_a_cancelled_item_that_vanishes_is_not_cancelled_again() -> None:
    agenda = Agenda(absent_runs=1)
    agenda.run(timed("occ-aaaa", SOON), timed("occ-keep", SOON))
    agenda.run(timed("occ-aaaa", SOON), timed("occ-keep", SOON), cancelled=["occ-aaaa"])
    assert agenda.run(timed("occ-keep", SOON)) == []


def test_confirmation_runs_must_be_at_least_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        detect_news({}, [], META, absent_runs=0)
