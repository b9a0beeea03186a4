"""Sorting a search: by name, by newest listing and by the day the listing stands to end, each
with stable paging, whichever strategy the search takes, and kept in links and the cache."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from contracts.enterprises import EnterpriseEvent, LabelHolding
from services.gateway.handlers import record_enterprise_event
from services.gateway.pages.search_links import paginate
from services.gateway.read_model import queries
from services.gateway.read_model.cache import SearchCache
from services.gateway.read_model.listing_terms import NO_END
from services.gateway.read_model.queries import SearchQuery, search_enterprises
from services.gateway.read_model.search_query import SortOrder
from services.gateway.read_model.tables import EnterpriseRow
from tests.unit.gateway.conftest import client_for
from tests.unit.gateway.events import holding, in_grace, listed

pytestmark = pytest.mark.unit


def _since(month: int, day: int = 1, year: int = 2025) -> datetime:
    return datetime(year, month, day, 9, tzinfo=UTC)


def _pso(until: date) -> LabelHolding:
    return holding("pso", valid_until=until)


MEMBERSHIP = holding("senl", level="lid", status="lid", valid_from=None, valid_until=None)
# Eight enterprises in Enschede: ties in listing date, in end date and in name (Groen twice),
# a membership without end date, and a PSO certificate in its grace period.
CATALOGUE: list[EnterpriseEvent] = [
    listed(
        "a", name="Atelier Noord", listed_since=_since(1, 10), labels=(_pso(date(2026, 6, 30)),)
    ),
    listed(
        "b",
        name="Bakkerij Zuid",
        listed_since=_since(5),
        labels=(holding("codeso", level=None, valid_until=date(2026, 1, 31)),),
    ),
    listed("c", name="Catering Oost", listed_since=_since(3), labels=(MEMBERSHIP,)),
    listed("d", name="drukkerij West", listed_since=_since(5), labels=(_pso(date(2026, 1, 31)),)),
    listed(
        "e",
        name="Eethuis",
        listed_since=_since(11, year=2024),
        labels=(in_grace(date(2026, 2, 15), valid_until=date(2025, 12, 1)),),
    ),
    listed(
        "f",
        name="Fietsen",
        listed_since=_since(2),
        labels=(_pso(date(2026, 3, 1)), MEMBERSHIP),
    ),
    listed("g2", name="Groen", listed_since=_since(4)),
    listed("g1", name="Groen", listed_since=_since(4)),
]
EXPECTED: dict[SortOrder, list[str]] = {
    "name": ["a", "b", "c", "d", "e", "f", "g1", "g2"],
    "newest": ["b", "d", "g1", "g2", "c", "f", "a", "e"],
    "ending": ["b", "d", "e", "g1", "g2", "a", "c", "f"],
}


def record_catalogue(engine: Engine) -> None:
    """The eight enterprises of `CATALOGUE`."""
    for event in CATALOGUE:
        record_enterprise_event(engine, event)


def ids(engine: Engine, cache: SearchCache | None = None, **filters: object) -> list[str]:
    """The enterprise ids of one page of the search."""
    with Session(engine) as session:
        page = search_enterprises(session, SearchQuery.model_validate(filters), cache)
    return [item.enterprise_id for item in page.items]


def paged_ids(engine: Engine, sort: str, page_size: int, **filters: object) -> list[str]:
    """Every page of the search, one after the other."""
    found: list[str] = []
    for page in range(1, len(CATALOGUE) // page_size + 2):
        found += ids(engine, sort=sort, page=page, page_size=page_size, **filters)
    return found


@pytest.mark.parametrize("sort", list(EXPECTED))
def test_each_order_ends_in_name_and_id_so_every_page_follows_on(
    engine: Engine, sort: SortOrder
) -> None:
    record_catalogue(engine)
    assert ids(engine, sort=sort, page_size=100) == EXPECTED[sort]
    for page_size in (1, 3):
        assert paged_ids(engine, sort, page_size) == EXPECTED[sort]


@pytest.mark.parametrize("sort", list(EXPECTED))
@pytest.mark.parametrize("q", [None, "enschede"])
def test_both_search_strategies_give_the_same_order(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, sort: SortOrder, q: str | None
) -> None:
    record_catalogue(engine)
    words_first = paged_ids(engine, sort, 3, q=q)
    monkeypatch.setattr(queries, "WORDS_FIRST_BELOW", 0)
    walking = paged_ids(engine, sort, 3, q=q)
    assert words_first == walking == EXPECTED[sort]


def test_the_listing_ends_with_its_latest_label_and_never_with_a_membership(
    engine: Engine,
) -> None:
    record_catalogue(engine)
    with Session(engine) as session:
        ends = {row.enterprise_id: row.listing_ends for row in session.exec(select(EnterpriseRow))}
    assert ends["a"] == date(2026, 6, 30)
    assert ends["e"] == date(2026, 2, 15)
    assert ends["c"] == ends["f"] == NO_END


def test_the_default_order_is_by_name(engine: Engine) -> None:
    record_catalogue(engine)
    assert ids(engine) == EXPECTED["name"]


def test_a_cached_search_in_one_order_is_not_served_for_another(engine: Engine) -> None:
    record_catalogue(engine)
    cache = SearchCache()
    assert ids(engine, cache, sort="name") == EXPECTED["name"]
    assert ids(engine, cache, sort="newest") == EXPECTED["newest"]
    assert ids(engine, cache, sort="ending") == EXPECTED["ending"]
    assert ids(engine, cache, sort="newest") == EXPECTED["newest"]


def test_pagination_links_keep_the_order_and_the_filters() -> None:
    query = SearchQuery(label=["pso"], reserved=True, sort="ending", page=2, page_size=3)
    pages = paginate("/", query, total=8)
    assert pages.previous == "/?label=pso&reserved=true&sort=ending&page_size=3"
    assert pages.next == "/?label=pso&reserved=true&sort=ending&page_size=3&page=3"


async def test_the_api_sorts_and_refuses_an_unknown_order() -> None:
    async with client_for(*CATALOGUE) as client:
        newest = await client.get("/api/v1/enterprises", params={"sort": "newest"})
        unknown = await client.get("/api/v1/enterprises", params={"sort": "prijs"})
        page = await client.get("/", params={"sort": "prijs"})
    assert [item["enterprise_id"] for item in newest.json()["items"]] == EXPECTED["newest"]
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["query", "sort"]
    assert page.status_code == 422
    assert "Onbekende sortering" in page.text


async def test_the_search_page_sorts_and_shows_the_chosen_order() -> None:
    async with client_for(*CATALOGUE) as client:
        html = (await client.get("/", params={"sort": "ending"})).text
    assert '<option value="ending" selected>' in html
    positions = [html.index(f"/ondernemingen/{i}?") for i in EXPECTED["ending"]]
    assert positions == sorted(positions)


async def test_the_openapi_document_names_the_orders(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    parameters = spec["paths"]["/api/v1/enterprises"]["get"]["parameters"]
    sort = next(p for p in parameters if p["name"] == "sort")
    assert sort["schema"]["enum"] == ["name", "newest", "ending"]
