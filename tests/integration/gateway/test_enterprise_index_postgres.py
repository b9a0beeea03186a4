"""The gateway's in-memory search index on PostgreSQL: the same answers as brute force over the
rows; it follows another gateway's and the bulk fill's writes, also when a later-numbered
change commits before an earlier one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session

from services.gateway.read_model import queries
from services.gateway.read_model.database import make_engine
from tests.unit.gateway.index_scenarios import (
    ENTERPRISES,
    answered,
    bulk_fill,
    expected,
    search,
    set_listed,
    varied_queries,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def other_writer(pg_engine: Engine) -> Iterator[Engine]:
    """A second engine on the same database, as another gateway or the bulk fill has."""
    other = make_engine(pg_engine.url.render_as_string(hide_password=False))
    yield other
    other.dispose()


@pytest.mark.parametrize("sort_below", [5_000, 0])
def test_varied_searches_answer_as_brute_force_on_postgresql(
    pg_engine: Engine, monkeypatch: pytest.MonkeyPatch, sort_below: int
) -> None:
    bulk_fill(pg_engine, range(300))
    monkeypatch.setattr(queries, "WORDS_FIRST_BELOW", sort_below)
    for query in varied_queries(100, seed=16):
        assert answered(pg_engine, **query) == expected(pg_engine, **query), query


def test_rows_of_another_writer_are_followed_and_delisting_hides_them_on_postgresql(
    pg_engine: Engine, other_writer: Engine
) -> None:
    bulk_fill(other_writer, range(30))
    assert answered(pg_engine, q="ca", page_size=100) == expected(pg_engine, q="ca", page_size=100)
    bulk_fill(other_writer, range(30, 60))
    found = answered(pg_engine, q="ca", page_size=100)
    assert found == expected(pg_engine, q="ca", page_size=100)
    gone = found[0][0]
    set_listed(other_writer, gone, False)
    assert gone not in answered(pg_engine, q="ca", page_size=100)[0]


def test_a_change_committed_after_a_later_numbered_one_is_not_missed(
    pg_engine: Engine, other_writer: Engine
) -> None:
    bulk_fill(pg_engine, range(10))
    assert search(pg_engine).total == 10
    slow = Session(other_writer)
    # Takes its change number now, commits last.
    slow.execute(
        update(ENTERPRISES)
        .where(ENTERPRISES.c.enterprise_id == "bench00000000001")
        .values(listed=False)
    )
    set_listed(pg_engine, "bench00000000002", False)
    assert search(pg_engine).total == 9
    slow.commit()
    slow.close()
    page = search(pg_engine, page_size=100)
    assert page.total == 8
    assert {"bench00000000001", "bench00000000002"}.isdisjoint(i.enterprise_id for i in page.items)
