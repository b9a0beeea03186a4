"""The search benchmark's buyer queries: seeded, distinct, valid, and of every kind."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from services.bench.queries import CACHED, MAX_PAGE, SEARCH_PATH, buyer_queries
from services.gateway.read_model.search_query import SORT_ORDERS, search_from_query_string

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def queries() -> list[str]:
    return buyer_queries(seed=15, count=20_000)


def _fields(path: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(path).query)


def test_the_same_seed_gives_the_same_queries_and_another_seed_others() -> None:
    assert buyer_queries(7, 500) == buyer_queries(7, 500)
    assert buyer_queries(7, 500) != buyer_queries(8, 500)


def test_a_longer_run_begins_with_the_queries_of_a_shorter_one() -> None:
    assert buyer_queries(7, 1_000)[:300] == buyer_queries(7, 300)


def test_every_query_of_a_run_is_asked_once(queries: list[str]) -> None:
    assert len(set(queries)) == len(queries)
    assert not set(queries) & set(CACHED)


def test_every_query_is_a_valid_search_of_the_api(queries: list[str]) -> None:
    for path in [*queries, *CACHED]:
        split = urlsplit(path)
        assert split.path == SEARCH_PATH
        assert search_from_query_string(split.query) is not None, path


def test_the_mix_covers_words_prefixes_accents_filters_orders_and_deep_pages(
    queries: list[str],
) -> None:
    fields = [_fields(path) for path in queries]
    texts = [f["q"][0] for f in fields if "q" in f]
    searches = [search_from_query_string(urlsplit(path).query) for path in queries]

    assert any(not text.isascii() for text in texts)
    assert any(text != text.lower() for text in texts)
    assert any(" " in text for text in texts)
    assert any(text == "taalcafe" for text in texts) and any(text == "taalcafé" for text in texts)
    assert any(len(text) == 3 for text in texts)  # word beginnings
    for name in ("category", "delivery_area", "province", "region", "municipality", "reserved"):
        assert any(name in f for f in fields), name
    assert any(len(f.get("label", ())) >= 2 for f in fields)
    assert any(len(f.get("category", ())) == 2 for f in fields)
    assert {s.sort for s in searches if s} == set(SORT_ORDERS)
    pages = [s.page for s in searches if s]
    assert max(pages) == MAX_PAGE and sum(page > 100 for page in pages) > 1_000
    assert {s.page_size for s in searches if s} == {20}
