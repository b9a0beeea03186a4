"""Editors' items on a real PostgreSQL server: the same form posted by two requests at once
makes one item and one outbox row; a change, its event and its form key commit together."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from services.gateway.editors.domain import AgendaForm, NewsForm, check_agenda, check_news
from services.gateway.editors.items import (
    Decide,
    agenda_change,
    apply_form,
    find_item,
    list_items,
    news_change,
)
from services.gateway.editors.outbox import mark_sent, pending_rows, purge_sent
from services.gateway.editors.tables import create_editor_tables

pytestmark = pytest.mark.integration

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def news() -> Decide:
    draft = check_news(NewsForm(title="Open dag", text="Kom langs.")).draft
    assert draft is not None
    return news_change("stadslab", draft, "gateway")


async def test_two_posts_of_one_form_at_once_make_one_item_and_one_event(
    pg_engine: Engine,
) -> None:
    create_editor_tables(pg_engine)
    key = "p" * 22
    results = await asyncio.gather(
        *(
            asyncio.to_thread(apply_form, pg_engine, "stadslab", None, key, "news", news(), NOW)
            for _ in range(4)
        )
    )
    assert sorted(r.applied for r in results if r) == [False, False, False, True]
    assert len({r.item_id for r in results if r}) == 1
    assert len(list_items(pg_engine, "stadslab")) == 1
    assert len(pending_rows(pg_engine, 10)) == 1


def test_an_agenda_item_and_its_cancellation_round_trip_through_postgres(
    pg_engine: Engine,
) -> None:
    create_editor_tables(pg_engine)
    typed = AgendaForm(title="Borrel", all_day=True, start_date="2027-04-01")
    draft = check_agenda(typed).draft
    assert draft is not None
    decide = agenda_change("stadslab", draft, "gateway")
    saved = apply_form(pg_engine, "stadslab", None, "a" * 22, "agenda", decide, NOW)
    assert saved is not None
    cancel = agenda_change("stadslab", None, "gateway")
    assert apply_form(pg_engine, "stadslab", saved.item_id, "c" * 22, "agenda", cancel, NOW)
    row = find_item(pg_engine, "stadslab", saved.item_id, "agenda")
    assert row is not None and row.status == "cancelled" and row.item["starts_on"] == "2027-04-01"
    rows = pending_rows(pg_engine, 10)
    assert [r.subject for r in rows] == [
        "impact.v1.agenda.stadslab.scheduled",
        "impact.v1.agenda.stadslab.cancelled",
    ]
    for pending in rows:
        mark_sent(pg_engine, pending.id, NOW)
    purge_sent(pg_engine, NOW.replace(year=2028))
    assert pending_rows(pg_engine, 10) == []
