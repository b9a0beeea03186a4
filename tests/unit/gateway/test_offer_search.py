"""Buyers find enterprises by what they offer and where they deliver: words of categories,
summaries and supplements (accents ignored), category and delivery-area filters and facets."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from contracts.categories import categories_by_slug
from contracts.places import regions
from services.gateway.handlers import record_enterprise_event
from services.gateway.read_model.cache import SearchCache
from services.gateway.read_model.queries import SearchQuery, search_enterprises
from services.gateway.read_model.searchable import delivery_regions, search_text
from services.gateway.read_model.tables import EnterpriseRow
from tests.unit.gateway.events import listed, state, supplement, updated
from tests.unit.gateway.offers import SEARCHES, found, record_offers, search

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("filters", "expected"), SEARCHES)
def test_buyers_find_enterprises_by_what_they_offer_and_where(
    engine: Engine, filters: dict[str, object], expected: list[str]
) -> None:
    record_offers(engine)
    assert found(engine, **filters) == expected


def test_category_facet_counts_every_category_in_list_order_ignoring_its_own_filter(
    engine: Engine,
) -> None:
    record_offers(engine)
    page = search(engine, category=["catering"], delivery_area=["Twente"])
    assert page.total == 3
    assert list(page.facets.category) == list(categories_by_slug())
    counted = {slug: n for slug, n in page.facets.category.items() if n}
    assert counted == {
        "catering": 3,
        "re-integratie-en-arbeidsontwikkeling": 1,
        "voeding-en-streekproducten": 1,
    }


def test_delivery_area_facet_counts_regions_served_ignoring_its_own_filter(
    engine: Engine,
) -> None:
    record_offers(engine)
    areas = search(engine, category=["catering"], delivery_area=["Twente"]).facets.delivery_area
    # Koks in de Maak delivers in heel Nederland: every region counts it.
    assert list(areas) == sorted(regions())
    assert (areas["Twente"], areas["Food Valley"], areas["Regio Zwolle"]) == (3, 2, 1)


def test_an_enterprise_without_delivery_areas_delivers_in_its_own_region(engine: Engine) -> None:
    assert delivery_regions(state(region="Twente")) == ("Twente",)
    assert delivery_regions(state(region="Twente", supplement=supplement())) == ("Twente",)
    assert delivery_regions(state(region="Nergens")) == ()
    assert delivery_regions(
        state(region="Twente", supplement=supplement(delivery_areas=("Zwolle", "Achterhoek")))
    ) == ("Achterhoek", "Regio Zwolle")


def test_search_text_holds_each_folded_word_once() -> None:
    text = search_text(
        state(
            name="Café Café",
            summary="Koffie en thee",
            categories=("catering",),
            supplement=supplement(keywords=("Crème brûlée",), delivery_areas=("Enschede",)),
        )
    )
    assert text.startswith(" cafe enschede overijssel twente circulaire economie 61234567")
    assert len(text.split()) == len(set(text.split()))
    assert {"creme", "brulee", "koffie", "horeca", "cateraar"} <= set(text.split())
    assert text == text.lower() and "é" not in text


def test_categories_and_regions_are_stored_as_sorted_tokens(engine: Engine) -> None:
    record_offers(engine)
    with Session(engine) as session:
        koks = session.get(EnterpriseRow, "koks")
        soepbar = session.get(EnterpriseRow, "soepbar")
    assert koks is not None and soepbar is not None
    assert koks.category_slugs == "catering re-integratie-en-arbeidsontwikkeling"
    assert koks.delivery_regions is not None and len(koks.delivery_regions.split()) == len(
        regions()
    )
    assert soepbar.delivery_regions == "twente"


def test_a_changed_supplement_moves_the_enterprise_between_regions(engine: Engine) -> None:
    record_enterprise_event(engine, listed("e1", name="Soepbar", categories=("catering",)))
    assert found(engine, delivery_area=["Twente"]) == ["Soepbar"]
    record_enterprise_event(
        engine,
        updated(
            "e1",
            name="Soepbar",
            categories=("catering",),
            supplement=supplement(delivery_areas=("Apeldoorn",), keywords=("maaltijdsoep",)),
        ),
    )
    assert found(engine, delivery_area=["Twente"]) == []
    assert found(engine, delivery_area=["Stedendriehoek en Noordwest Veluwe"]) == ["Soepbar"]
    assert found(engine, q="maaltijdsoep apeldoorn") == ["Soepbar"]


def test_cached_answers_tell_category_and_delivery_filters_apart(engine: Engine) -> None:
    record_offers(engine)
    cache = SearchCache()

    def total(**filters: object) -> int:
        with Session(engine) as session:
            return search_enterprises(session, SearchQuery.model_validate(filters), cache).total

    assert total() == 7
    assert total(category=["catering"]) == 4
    assert total(category=["catering", "schoonmaak"]) == 5
    assert total(category=["schoonmaak", "catering"]) == 5
    assert total(category=["catering"], delivery_area=["Twente"]) == 3
    assert total(category=["catering"], delivery_area=["TWENTE"]) == 3
    assert total(delivery_area=["Regio Zwolle"]) == 1
    assert len(cache.pages) == 5


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"category": ["catering", "taart"]}, "unknown category 'taart'; the categories are: "),
        ({"delivery_area": ["Twente", "Mordor"]}, "unknown labour-market region 'Mordor'"),
        ({"delivery_area": ["Enschede"]}, "unknown labour-market region 'Enschede'"),
    ],
)
def test_unknown_categories_and_regions_are_refused(
    filters: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        SearchQuery.model_validate(filters)
