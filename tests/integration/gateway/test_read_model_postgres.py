"""The read model on PostgreSQL: the same queries, and concurrent writers never go backwards."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from services.gateway.handlers import record_enterprise_event
from services.gateway.read_model.cache import SearchCache
from services.gateway.read_model.projection import Position
from services.gateway.read_model.queries import (
    SearchQuery,
    count_processed,
    get_enterprise,
    search_enterprises,
)
from services.gateway.read_model.tables import HoldingRow, StreamPosition
from tests.unit.gateway.conftest import seed_catalogue
from tests.unit.gateway.events import holding, listed, updated
from tests.unit.gateway.offers import SEARCHES, found, record_offers, search
from tests.unit.gateway.test_search_index import ACCENTED, QUERIES, names, reference_names

pytestmark = pytest.mark.integration


def test_search_filters_facets_and_detail_work_on_postgresql(pg_engine: Engine) -> None:
    seed_catalogue(pg_engine)
    with Session(pg_engine) as session:
        everything = search_enterprises(session, SearchQuery())
        zwolle = search_enterprises(session, SearchQuery(q="ZWOLLE"))
        north = search_enterprises(session, SearchQuery(province="noord-holland"))
        soweco = get_enterprise(session, "soweco")
        gone = get_enterprise(session, "verlopen")
    assert everything.total == 25
    assert [e.name for e in zwolle.items] == ["De Groene Fietser", "Soweco"]
    assert zwolle.facets.label == {"pso": 1, "codeso": 1, "senl": 0, "cedris": 1}
    assert [e.name for e in north.items] == ["Tunga"]
    assert soweco is not None and [h.label for h in soweco.labels] == ["pso", "cedris"]
    assert soweco.labels[0].last_checked_at.tzinfo is not None
    assert gone is None


def test_concurrent_writers_keep_the_newest_version(pg_engine: Engine) -> None:
    versions = list(range(1, 41))
    random.Random(7).shuffle(versions)

    def record(version: int) -> None:
        event = updated(
            "e1",
            version=version,
            name=f"Versie {version}",
            labels=(holding("pso", holding_id=f"h{version}"),),
        )
        record_enterprise_event(pg_engine, event, Position("ENTERPRISES", version))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(record, versions))
    with Session(pg_engine) as session:
        enterprise = get_enterprise(session, "e1")
        holdings = session.exec(select(HoldingRow.holding_id)).all()
        position = session.get(StreamPosition, "ENTERPRISES")
        processed = count_processed(session)
    assert enterprise is not None and enterprise.name == "Versie 40"
    assert list(holdings) == ["h40"]
    assert position is not None and position.last_seq == 40
    assert processed == 40


@pytest.mark.parametrize("q", [*QUERIES[:: len(QUERIES) // 12], "café", "東", "trede 3"])
def test_every_term_must_start_a_word_on_postgresql(pg_engine: Engine, q: str) -> None:
    seed_catalogue(pg_engine)
    for event in ACCENTED:
        record_enterprise_event(pg_engine, event)
    assert names(pg_engine, q=q) == reference_names(pg_engine, q)


def test_word_search_and_labels_kept_by_trigger_on_postgresql(pg_engine: Engine) -> None:
    cache = SearchCache()
    record_enterprise_event(pg_engine, listed("e1", name="Kringloop Oost"))
    with Session(pg_engine) as session:
        first = search_enterprises(session, SearchQuery(q="kring", label=["senl"]), cache)
    record_enterprise_event(
        pg_engine, updated("e1", version=2, name="Kringloop Oost", labels=(holding("senl"),))
    )
    with Session(pg_engine) as session:
        second = search_enterprises(session, SearchQuery(q="kring", label=["senl"]), cache)
    assert (first.total, first.facets.label["pso"]) == (0, 1)
    assert (second.total, second.facets.label["senl"], second.facets.label["pso"]) == (1, 1, 0)


@pytest.mark.parametrize(("filters", "expected"), SEARCHES)
def test_buyers_find_by_offer_and_delivery_area_on_postgresql(
    pg_engine: Engine, filters: dict[str, object], expected: list[str]
) -> None:
    record_offers(pg_engine)
    assert found(pg_engine, **filters) == expected


def test_category_and_delivery_facets_on_postgresql(pg_engine: Engine) -> None:
    record_offers(pg_engine)
    page = search(pg_engine, category=["catering"], delivery_area=["Twente"])
    assert page.total == 3
    assert {slug: n for slug, n in page.facets.category.items() if n} == {
        "catering": 3,
        "re-integratie-en-arbeidsontwikkeling": 1,
        "voeding-en-streekproducten": 1,
    }
    areas = page.facets.delivery_area
    assert (areas["Twente"], areas["Food Valley"], areas["Regio Zwolle"]) == (3, 2, 1)


def test_supplement_and_categories_round_trip_on_postgresql(pg_engine: Engine) -> None:
    record_offers(pg_engine)
    with Session(pg_engine) as session:
        branderij = get_enterprise(session, "branderij")
    assert branderij is not None and branderij.supplement is not None
    assert branderij.supplement.keywords == ["espresso", "Fairtrade"]
    assert branderij.supplement.contact is not None
    assert branderij.supplement.contact.email == "inkoop@branderij.example"
    assert branderij.supplement.updated_at.tzinfo is not None
    assert [(c.slug, c.cpv[0].code) for c in branderij.categories] == [
        ("voeding-en-streekproducten", "15000000-8")
    ]
