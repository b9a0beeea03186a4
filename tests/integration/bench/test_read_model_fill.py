"""The search benchmark's fill: rows the gateway searches as if it had projected them, on
SQLite and on a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from services.bench.read_model_fill import fill_read_model
from services.gateway.read_model.database import make_engine
from services.gateway.read_model.queries import SearchQuery, search_enterprises
from tests.fixtures.servers import own_database

pytestmark = pytest.mark.integration

COUNT = 60


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'read-model.db'}"
        return
    with own_database(request.getfixturevalue("postgres_url"), "bench") as url:
        yield url


def test_filled_enterprises_are_found_by_words_accents_labels_places_and_reservation(
    database_url: str,
) -> None:
    fill_read_model(database_url, COUNT, workers=1)

    engine = make_engine(database_url)
    try:
        with Session(engine) as session:

            def total(**filters: object) -> int:
                return search_enterprises(session, SearchQuery.model_validate(filters)).total

            everything = search_enterprises(session, SearchQuery(page_size=100))
            assert everything.total == COUNT
            assert total(q="taalcafe") == total(q="Taalcafé") > 0
            assert 0 < total(label=["pso"]) < COUNT
            assert 0 < total(reserved=True) < total(label=["pso"])
            provinces = {e.province for e in everything.items if e.province}
            assert len(provinces) >= 6
            assert 0 < total(province=sorted(provinces)[0]) < COUNT
    finally:
        engine.dispose()
