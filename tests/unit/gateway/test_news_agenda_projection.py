"""The news and agenda projection: replay builds it, the same event twice changes nothing,
a later event wins over one redelivered late, withdrawn news and items removed from their
feed disappear, cancelled items stay marked, item HTML is sanitised, old items are pruned."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from contracts.agenda import AgendaEvent
from contracts.hotspots import parse_hotspots
from contracts.news import NewsEvent
from services.gateway.hotspot_items.handlers import record_agenda_events, record_news_events
from services.gateway.hotspot_items.pruning import prune_items
from services.gateway.hotspot_items.queries import agenda_page, news_page
from services.gateway.hotspot_items.tables import AgendaRow, NewsRow
from services.gateway.read_model.queries import count_processed
from tests.unit.gateway.news_agenda_events import (
    HOTSPOTS,
    NOW,
    agenda_item,
    all_day,
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

ALL = parse_hotspots(json.dumps(HOTSPOTS))


def feed_news(engine: Engine, events: Sequence[NewsEvent], first: int = 1) -> list[object]:
    """Record `events` at stream sequences from `first` on, as one batch."""
    return list(record_news_events(engine, in_stream("NEWS", events, first)))


def feed_agenda(engine: Engine, events: Sequence[AgendaEvent], first: int = 1) -> list[object]:
    """Record `events` at stream sequences from `first` on, as one batch."""
    return list(record_agenda_events(engine, in_stream("AGENDA", events, first)))


def shown_news(engine: Engine) -> dict[str, str]:
    with Session(engine) as session:
        return {item.item_id: item.title for item in news_page(session, ALL).items}


def shown_agenda(engine: Engine, period: str = "coming") -> dict[str, str | None]:
    with Session(engine) as session:
        page = agenda_page(session, ALL, NOW, period)  # type: ignore[arg-type]
        return {item.item_id: item.cancelled_text for item in page.items}


def test_replaying_a_stream_builds_the_news_and_the_same_events_again_change_nothing(
    engine: Engine,
) -> None:
    first, second = news_item("nieuws-0001"), news_item("nieuws-0002", title="Tweede")
    events = [
        published(first),
        published(second),
        news_updated(second.model_copy(update={"title": "Tweede, bijgewerkt"}), later()),
    ]
    assert feed_news(engine, events) == [True, True, True]
    with Session(engine) as session:
        count = count_processed(session)
    assert feed_news(engine, events) == [False, False, False]
    assert shown_news(engine) == {
        "nieuws-0001": "Bericht nieuws-0001",
        "nieuws-0002": "Tweede, bijgewerkt",
    }
    with Session(engine) as session:
        assert count_processed(session) == count


def test_withdrawn_news_disappears_and_a_late_redelivery_does_not_bring_it_back(
    engine: Engine,
) -> None:
    item = news_item("nieuws-0003")
    feed_news(engine, [published(item), withdrawn(item, later())])
    assert shown_news(engine) == {}
    # The publication again, under its own id but at an earlier stream position than the
    # withdrawal (a redelivery that came late): the withdrawal stands.
    again = published(item, at=later(hours=2))
    assert feed_news(engine, [again], first=1) == [False]
    assert shown_news(engine) == {}
    # Published anew after the withdrawal, later in the stream: shown again.
    assert feed_news(engine, [published(item, at=later(hours=3))], first=10) == [True]
    assert shown_news(engine) == {"nieuws-0003": "Bericht nieuws-0003"}


def test_an_update_older_than_the_stored_one_is_ignored(engine: Engine) -> None:
    item = news_item("nieuws-0004")
    feed_news(
        engine, [news_updated(item.model_copy(update={"title": "Nieuwste"}), later())], first=5
    )
    assert feed_news(engine, [published(item)], first=4) == [False]
    assert shown_news(engine) == {"nieuws-0004": "Nieuwste"}


def test_a_cancelled_item_stays_listed_with_its_reason_and_one_removed_from_its_feed_goes(
    engine: Engine,
) -> None:
    kept, gone = agenda_item("agenda-0001"), agenda_item("agenda-0002")
    feed_agenda(
        engine,
        [
            scheduled(kept),
            scheduled(gone),
            cancelled(kept, at=later()),
            cancelled(gone, "removed_from_feed", later()),
        ],
    )
    assert shown_agenda(engine) == {"agenda-0001": "De organisator heeft dit evenement afgelast."}


def test_a_change_after_a_cancellation_schedules_the_item_again(engine: Engine) -> None:
    item = agenda_item("agenda-0003")
    moved = item.model_copy(
        update={
            "title": "Verplaatst",
            "starts_at": item.starts_at + timedelta(days=7),
            "ends_at": None,
        }
    )  # type: ignore[operator]
    feed_agenda(
        engine,
        [
            scheduled(item),
            cancelled(item, "cancelled_by_editor", later()),
            changed(moved, later(hours=2)),
        ],
    )
    assert shown_agenda(engine) == {"agenda-0003": None}
    with Session(engine) as session:
        row = session.exec(select(AgendaRow)).one()
    assert row.title == "Verplaatst" and row.cancelled_reason is None


def test_coming_items_come_soonest_first_and_past_ones_most_recent_first(engine: Engine) -> None:
    events = [
        scheduled(all_day("agenda-late", date(2026, 5, 1), date(2026, 5, 3))),
        scheduled(agenda_item("agenda-soon")),
        scheduled(all_day("agenda-today", date(2026, 3, 27))),
        scheduled(all_day("agenda-old", date(2026, 1, 10))),
        scheduled(agenda_item("agenda-recent", starts_at=NOW - timedelta(days=2), ends_at=None)),
    ]
    feed_agenda(engine, events)
    assert list(shown_agenda(engine)) == ["agenda-today", "agenda-soon", "agenda-late"]
    assert list(shown_agenda(engine, "past")) == ["agenda-recent", "agenda-old"]


def test_item_html_is_sanitised_before_it_is_stored(engine: Engine) -> None:
    hostile = (
        '<p onclick="steal()">Hallo <script>alert(1)</script><a href="javascript:alert(2)">'
        'klik</a> <a href="https://ok.example/">goed</a><img src=x onerror=alert(3)>'
        "<style>body{display:none}</style><h1>Kop</h1></p>"
    )
    feed_news(engine, [published(news_item("nieuws-0005", summary_html=hostile))])
    feed_agenda(engine, [scheduled(agenda_item("agenda-0005", description_html=hostile))])
    with Session(engine) as session:
        stored = [
            session.exec(select(NewsRow.summary_html)).one(),
            session.exec(select(AgendaRow.description_html)).one(),
        ]
    for html in stored:
        lowered = html.lower()
        for bad in ("script", "onclick", "javascript:", "onerror", "<img", "style", "<h1"):
            assert bad not in lowered, html
        assert '<a href="https://ok.example/" rel="noopener noreferrer nofollow">goed</a>' in html


def test_items_of_a_hotspot_not_in_the_file_are_kept_but_not_shown(engine: Engine) -> None:
    feed_news(engine, [published(news_item("nieuws-0006", hotspot="elders"))])
    assert shown_news(engine) == {}
    with Session(engine) as session:
        assert session.exec(select(NewsRow.hotspot)).all() == ["elders"]


def test_old_news_and_long_ended_agenda_items_are_pruned(engine: Engine) -> None:
    feed_news(
        engine,
        [
            published(news_item("nieuws-old", published_at=NOW - timedelta(days=40))),
            published(news_item("nieuws-new", published_at=NOW - timedelta(days=5))),
        ],
    )
    feed_agenda(
        engine,
        [
            scheduled(all_day("agenda-old", (NOW - timedelta(days=40)).date())),
            scheduled(all_day("agenda-new", (NOW - timedelta(days=5)).date())),
        ],
    )
    assert prune_items(engine, NOW, news_days=30, agenda_days=30) == 2
    assert set(shown_news(engine)) == {"nieuws-new"}
    assert set(shown_agenda(engine, "past")) == {"agenda-new"}
