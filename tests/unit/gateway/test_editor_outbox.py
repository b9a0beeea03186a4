"""Editors' items and their outbox: a change and its event are written together, a form is
applied once, and the relay publishes in order, marks what was acked, and retries the rest
under the same ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine

from contracts.agenda import AgendaItem
from contracts.subjects import StreamSpec
from services.gateway.editors.domain import AgendaForm, NewsForm, check_agenda, check_news
from services.gateway.editors.items import (
    Decide,
    agenda_change,
    apply_form,
    find_item,
    list_items,
    news_change,
)
from services.gateway.editors.outbox import OutboxRelay, pending_rows
from services.gateway.editors.present import agenda_form_of, news_form_of, when_text
from services.gateway.editors.tables import create_editor_tables

pytestmark = pytest.mark.unit

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
KEY = "k" * 22


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{tmp_path / 'gateway.db'}")
    create_editor_tables(engine)
    return engine


def news(title: str = "Open dag", text: str = "Kom langs.") -> Decide:
    draft = check_news(NewsForm(title=title, text=text)).draft
    assert draft is not None
    return news_change("stadslab", draft, "gateway")


def test_a_form_posted_twice_makes_one_item_and_one_event(engine: Engine) -> None:
    first = apply_form(engine, "stadslab", None, KEY, "news", news(), NOW)
    again = apply_form(engine, "stadslab", None, KEY, "news", news(), NOW)
    assert first is not None and again is not None
    assert (first.applied, again.applied) == (True, False)
    assert first.item_id == again.item_id
    assert len(list_items(engine, "stadslab")) == 1
    assert [r.subject for r in pending_rows(engine, 10)] == ["impact.v1.news.stadslab.published"]


def test_edits_and_a_withdrawal_each_add_one_event_with_its_own_id(engine: Engine) -> None:
    saved = apply_form(engine, "stadslab", None, KEY, "news", news(), NOW)
    assert saved is not None
    later = NOW + timedelta(hours=1)
    edit = news("Open dag verzet", "Een week later.")
    assert apply_form(engine, "stadslab", saved.item_id, "e" * 22, "news", edit, later)
    withdraw = news_change("stadslab", None, "gateway")
    assert apply_form(engine, "stadslab", saved.item_id, "w" * 22, "news", withdraw, later)
    rows = pending_rows(engine, 10)
    assert [r.subject.rsplit(".", 1)[1] for r in rows] == ["published", "updated", "withdrawn"]
    assert len({r.event_id for r in rows}) == 3
    row = find_item(engine, "stadslab", saved.item_id, "news")
    assert row is not None and (row.status, row.version) == ("withdrawn", 3)
    assert news_form_of(row).title == "Open dag verzet"
    again = news("Terug", "Nee.")
    assert apply_form(engine, "stadslab", saved.item_id, "x" * 22, "news", again, later) is None


def test_another_hotspots_item_cannot_be_changed(engine: Engine) -> None:
    saved = apply_form(engine, "stadslab", None, KEY, "news", news(), NOW)
    assert saved is not None
    other = news_change("zwolle", None, "gateway")
    assert apply_form(engine, "zwolle", saved.item_id, "z" * 22, "news", other, NOW) is None
    assert find_item(engine, "stadslab", saved.item_id, "agenda") is None


def test_an_agenda_item_reads_back_in_dutch_time_across_the_clock_change(engine: Engine) -> None:
    typed = AgendaForm(
        title="Nachtcafé",
        start_date="2026-10-24",
        start_time="22:00",
        end_date="2026-10-25",
        end_time="04:00",
    )
    draft = check_agenda(typed).draft
    assert draft is not None
    decide = agenda_change("stadslab", draft, "gateway")
    saved = apply_form(engine, "stadslab", None, KEY, "agenda", decide, NOW)
    assert saved is not None
    row = find_item(engine, "stadslab", saved.item_id, "agenda")
    assert row is not None
    assert agenda_form_of(row) == typed
    item = AgendaItem.model_validate(row.item)
    assert when_text(item) == "24 oktober 2026, 22:00 tot 25 oktober 2026, 04:00"


class Stream:
    """Plays JetStream: keeps each id once (its duplicate window); `fail_after` acks and then
    loses the connection, as a crash between the ack and the mark would."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.fail_after: set[str] = set()
        self.down = False

    async def publish(self, subject: str, payload: bytes, event_id: str, spec: StreamSpec) -> None:
        if self.down:
            raise ConnectionError("no server")
        if event_id not in self.ids:
            self.ids.append(event_id)
        if event_id in self.fail_after:
            self.fail_after.discard(event_id)
            raise ConnectionError("lost after the ack")


async def test_the_relay_publishes_in_order_and_a_retry_doubles_nothing(engine: Engine) -> None:
    stream = Stream()
    relay = OutboxRelay(engine, stream.publish, lambda: NOW)
    saved = apply_form(engine, "stadslab", None, KEY, "news", news(), NOW)
    assert saved is not None
    edit = news("Nieuwe titel")
    apply_form(engine, "stadslab", saved.item_id, "e" * 22, "news", edit, NOW)
    first, second = (r.event_id for r in pending_rows(engine, 10))

    stream.down = True
    with pytest.raises(ConnectionError):
        await relay.publish_pending()
    assert stream.ids == [] and len(pending_rows(engine, 10)) == 2

    stream.down = False
    stream.fail_after = {first}
    with pytest.raises(ConnectionError):
        await relay.publish_pending()
    assert stream.ids == [first] and len(pending_rows(engine, 10)) == 2  # second waits its turn

    assert await relay.publish_pending() == 2
    assert stream.ids == [first, second] and pending_rows(engine, 10) == []
    assert await relay.publish_pending() == 0
