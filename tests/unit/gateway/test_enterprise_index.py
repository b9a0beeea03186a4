"""The gateway's in-memory search index on SQLite: the same answers as brute force over the
rows, for words, prefixes, accents, every filter, facets ignoring their own filter, each
order and deep pages; and it follows rows written by another writer, not the projection."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from services.gateway.read_model import queries
from services.gateway.read_model.database import create_tables, make_engine
from services.gateway.read_model.enterprise_index import EnterpriseIndex
from services.gateway.read_model.facets import Filters
from services.gateway.read_model.index_follow import followed_index, prune_change_log
from tests.unit.gateway.index_scenarios import (
    answered,
    bulk_fill,
    expected,
    search,
    set_listed,
    varied_queries,
)

pytestmark = pytest.mark.unit


@pytest.fixture
def two_engines(tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    """Two engines on one SQLite file, as two processes would have."""
    url = f"sqlite:///{tmp_path / 'read-model.db'}"
    first, second = make_engine(url), make_engine(url)
    create_tables(first)
    yield first, second
    first.dispose()
    second.dispose()


@pytest.mark.parametrize("sort_below", [5_000, 0])
def test_varied_searches_answer_as_brute_force_with_both_page_strategies(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, sort_below: int
) -> None:
    bulk_fill(engine, range(300))
    monkeypatch.setattr(queries, "WORDS_FIRST_BELOW", sort_below)
    for query in varied_queries(150):
        assert answered(engine, **query) == expected(engine, **query), query


@pytest.mark.parametrize(
    "query",
    [
        {"q": "kring"},
        {"q": "KRINGLO zwol"},
        {"q": "kringloop", "label": ["pso", "senl"], "sort": "newest"},
        {"province": "gelderland", "category": ["catering"], "sort": "ending"},
        {"region": "twente", "delivery_area": ["Regio Zwolle"], "reserved": True},
        {"municipality": "ENSCHEDE", "label": ["cedris"]},
    ],
)
def test_each_facet_ignores_its_own_filter_and_pages_follow_on(
    engine: Engine, query: dict[str, Any]
) -> None:
    bulk_fill(engine, range(200))
    pages = [answered(engine, **query, page=n, page_size=7) for n in range(1, 40)]
    whole = answered(engine, **query, page_size=100)
    assert [i for ids, _, _ in pages for i in ids] == whole[0]
    assert whole == expected(engine, **query, page_size=100)


def test_a_term_must_start_a_word_and_accents_and_case_do_not_matter(engine: Engine) -> None:
    bulk_fill(engine, range(50))
    catering = answered(engine, q="catering", page_size=100)
    assert catering[1] > 0
    assert answered(engine, q="CATÉR", page_size=100) == catering
    assert answered(engine, q="atering", page_size=100)[1] == 0


def test_rows_written_by_another_writer_are_found_and_delisting_hides_them(
    two_engines: tuple[Engine, Engine],
) -> None:
    gateway, other = two_engines
    bulk_fill(other, range(30))
    assert (
        search(gateway, q="kringloop", page_size=100).total == expected(gateway, q="kringloop")[1]
    )
    bulk_fill(other, range(30, 60))
    found = answered(gateway, q="kringloop", page_size=100)
    assert found == expected(gateway, q="kringloop", page_size=100)
    gone = found[0][0]
    set_listed(other, gone, False)
    after = answered(gateway, q="kringloop", page_size=100)
    assert gone not in after[0]
    assert after[1] == found[1] - 1
    set_listed(other, gone, True)
    assert answered(gateway, q="kringloop", page_size=100) == found


def test_an_index_built_anew_after_the_tables_are_made_anew(engine: Engine) -> None:
    bulk_fill(engine, range(20))
    assert search(engine).total == 20
    with engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM enterprises")
        connection.exec_driver_sql("DELETE FROM enterprise_changes")
    bulk_fill(engine, range(100, 105))
    assert answered(engine, page_size=100) == expected(engine, page_size=100)


def test_rows_written_without_the_log_are_indexed_once_and_then_followed(engine: Engine) -> None:
    # The benchmark's fill holds the triggers off, so its rows leave the change log empty.
    bulk_fill(engine, range(20))
    with engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM enterprise_changes")
    assert search(engine).total == 20
    generation = followed_index(engine).generation
    assert search(engine, q="ca").total == expected(engine, q="ca")[1]
    assert followed_index(engine).generation == generation
    set_listed(engine, "bench00000000003", False)
    assert answered(engine, page_size=100) == expected(engine, page_size=100)
    assert search(engine).total == 19


def test_an_index_of_many_changes_is_rebuilt_without_changing_answers(engine: Engine) -> None:
    bulk_fill(engine, range(40))
    search(engine)
    for _ in range(30):
        for n in range(40):
            set_listed(engine, f"bench{n:011d}", n % 3 != 0)
        search(engine, q="ca")
    assert answered(engine, q="ca", page_size=50) == expected(engine, q="ca", page_size=50)


def test_an_empty_index_answers_with_nothing() -> None:
    index = EnterpriseIndex()
    found = index.search(["kring"], Filters(), "name", 0, 20)
    assert (found.tally.total, found.ids) == (0, [])
    assert found.tally.facets.label == {"pso": 0, "codeso": 0, "senl": 0, "cedris": 0}


def test_a_pruned_change_log_still_gives_the_same_answers(
    two_engines: tuple[Engine, Engine],
) -> None:
    gateway, other = two_engines
    bulk_fill(other, range(20))
    assert search(gateway).total == 20
    bulk_fill(other, range(20, 40))
    assert prune_change_log(other, keep=5) > 0
    assert answered(gateway, page_size=100) == expected(gateway, page_size=100)
    set_listed(other, "bench00000000003", False)
    assert prune_change_log(other, keep=1) > 0
    assert "bench00000000003" not in answered(gateway, page_size=100)[0]
