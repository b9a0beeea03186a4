"""The news and agenda projection on PostgreSQL: the same stories as on SQLite, and two
writers applying the same stream at once (two gateways sharing one database) end alike."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine

from services.gateway.hotspot_items.handlers import record_agenda_events, record_news_events
from tests.unit.gateway import test_news_agenda_projection as stories
from tests.unit.gateway.news_agenda_events import (
    agenda_item,
    cancelled,
    changed,
    in_stream,
    later,
    news_item,
    news_updated,
    published,
    scheduled,
    withdrawn,
)

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    "story",
    [
        stories.test_replaying_a_stream_builds_the_news_and_the_same_events_again_change_nothing,
        stories.test_withdrawn_news_disappears_and_a_late_redelivery_does_not_bring_it_back,
        stories.test_an_update_older_than_the_stored_one_is_ignored,
        stories.test_a_cancelled_item_stays_listed_with_its_reason_and_one_removed_from_its_feed_goes,
        stories.test_a_change_after_a_cancellation_schedules_the_item_again,
        stories.test_coming_items_come_soonest_first_and_past_ones_most_recent_first,
        stories.test_item_html_is_sanitised_before_it_is_stored,
        stories.test_old_news_and_long_ended_agenda_items_are_pruned,
    ],
    ids=lambda story: story.__name__.removeprefix("test_")[:40],
)
def test_the_projection_tells_the_same_story_on_postgresql(pg_engine: Engine, story) -> None:  # type: ignore[no-untyped-def]
    story(pg_engine)


def test_two_writers_applying_the_same_stream_at_once_end_alike(pg_engine: Engine) -> None:
    news = []
    agenda = []
    for n in range(20):
        item = news_item(f"nieuws-{n:04}")
        news += [
            published(item),
            news_updated(item.model_copy(update={"title": f"Nieuw {n}"}), later()),
        ]
        if n % 3 == 0:
            news.append(withdrawn(item, later(hours=2)))
        event = agenda_item(f"agenda-{n:04}")
        agenda += [
            scheduled(event),
            changed(event.model_copy(update={"title": f"Anders {n}"}), later()),
        ]
        if n % 4 == 0:
            agenda.append(cancelled(event, at=later(hours=2)))
    news_batch = in_stream("NEWS", news)
    agenda_batch = in_stream("AGENDA", agenda)

    def write(seed: int) -> None:
        rng = random.Random(seed)
        for batch, record in (
            (news_batch, record_news_events),
            (agenda_batch, record_agenda_events),
        ):
            shuffled = list(batch)
            rng.shuffle(shuffled)
            for start in range(0, len(shuffled), 7):
                record(pg_engine, shuffled[start : start + 7])  # type: ignore[arg-type]

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(write, (1, 2)))
    assert stories.shown_news(pg_engine) == {
        f"nieuws-{n:04}": f"Nieuw {n}" for n in range(20) if n % 3
    }
    shown = stories.shown_agenda(pg_engine, "coming")
    assert set(shown) == {f"agenda-{n:04}" for n in range(20)}
    assert {item for item, reason in shown.items() if reason} == {
        f"agenda-{n:04}" for n in range(20) if n % 4 == 0
    }
