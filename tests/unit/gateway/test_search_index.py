"""Search through the word index and the answer cache: the same answers as matching every term
against the start of a word, and never an answer from before the latest event."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from contracts.enterprises import EnterpriseEvent
from services.gateway.config import GatewaySettings
from services.gateway.handlers import record_enterprise_event
from services.gateway.main import create_app
from services.gateway.read_model.cache import AnswerCache, SearchCache
from services.gateway.read_model.database import create_tables
from services.gateway.read_model.queries import SearchQuery, search_enterprises
from services.gateway.read_model.searchable import words
from tests.unit.gateway.conftest import seed_catalogue
from tests.unit.gateway.events import delisted, holding, listed, updated

pytestmark = pytest.mark.unit

ACCENTED: list[EnterpriseEvent] = [
    listed("cafe", name="Café Zoë", place="Enschede", municipality="Enschede", themes=()),
    listed("plain", name="Cafe Zoe", place="Hengelo", municipality="Hengelo", themes=()),
    listed("tokyo", name="東京 Werkplaats", place="Almelo", municipality="Almelo", themes=()),
    listed("trede", name="Trede-3 Diensten", place="Deventer", municipality="Deventer"),
]
HOSTILE = ['"', '""', "*", "kring*", "NEAR(", "NEAR(kring zwolle)", "OR", "a OR b", "-", "-zwolle"]
HOSTILE += ["AND", "NOT bakkerij", "^zwolle", "name:zwolle", "{name}: x", "(", ")", "+", "'", ";"]
QUERIES = [*HOSTILE, "kring", "ringloop", "bakkerij 0", "bakkerij 1", "b", "zw groene", "3"]
QUERIES += ["café", "cafe", "caf", "zoë", "zoe", "東", "東京", "京", "trede 3", "TREDE-3", "é"]


def names(engine: Engine, **filters: object) -> list[str]:
    with Session(engine) as session:
        page = search_enterprises(session, SearchQuery.model_validate(filters | {"page_size": 100}))
    return [item.name for item in page.items]


def reference_names(engine: Engine, q: str) -> list[str]:
    """What the word search must answer: every term starts a word of the search text."""
    terms = words(q)[:10]
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT name, search_text FROM enterprises WHERE listed ORDER BY sort_name")
        ).all()
    return [
        name
        for name, search_text in rows
        if all(any(w.startswith(t) for w in search_text.split()) for t in terms)
    ]


@pytest.mark.parametrize("q", QUERIES)
def test_every_term_must_start_a_word_whatever_the_query_holds(engine: Engine, q: str) -> None:
    seed_catalogue(engine)
    for event in ACCENTED:
        record_enterprise_event(engine, event)
    assert names(engine, q=q) == reference_names(engine, q)


def test_accents_are_ignored_and_other_scripts_match_as_written(engine: Engine) -> None:
    for event in ACCENTED:
        record_enterprise_event(engine, event)
    record_enterprise_event(engine, listed("taal", name="Taalcafé Oost", themes=()))
    assert names(engine, q="café") == ["Cafe Zoe", "Café Zoë"]
    assert names(engine, q="CAFE") == ["Cafe Zoe", "Café Zoë"]
    assert names(engine, q="zoë") == ["Cafe Zoe", "Café Zoë"]
    assert names(engine, q="taalcafe") == ["Taalcafé Oost"]
    assert names(engine, q="東") == ["東京 Werkplaats"]
    assert names(engine, q="京") == []


def test_words_are_folded_to_lower_case_without_accents() -> None:
    assert words("Taalcafé Zoë, Trede-3 İJssel 東京") == [
        "taalcafe",
        "zoe",
        "trede",
        "3",
        "ijssel",
        "東京",
    ]


def test_a_changed_or_delisted_enterprise_is_found_by_its_new_words_only(engine: Engine) -> None:
    record_enterprise_event(engine, listed("e1", name="Kringloop Oost"))
    record_enterprise_event(engine, updated("e1", version=2, name="Fietsenmakerij Oost"))
    assert names(engine, q="kringloop") == []
    assert names(engine, q="fiets") == ["Fietsenmakerij Oost"]
    record_enterprise_event(engine, delisted("e1", version=3, name="Fietsenmakerij Oost"))
    assert names(engine, q="fiets") == []


def test_cached_answers_never_outlive_the_next_event(engine: Engine) -> None:
    cache = SearchCache()
    record_enterprise_event(engine, listed("e1", name="Kringloop Oost"))

    def search(**filters: object) -> tuple[int, dict[str, int]]:
        with Session(engine) as session:
            page = search_enterprises(session, SearchQuery.model_validate(filters), cache)
        return page.total, page.facets.label

    assert search(q="kring") == (1, {"pso": 1, "codeso": 0, "senl": 0, "cedris": 0})
    assert search(q="kring", label=["senl"]) == (0, {"pso": 1, "codeso": 0, "senl": 0, "cedris": 0})
    record_enterprise_event(
        engine, updated("e1", version=2, name="Kringloop Oost", labels=(holding("senl"),))
    )
    assert search(q="kring", label=["senl"]) == (1, {"pso": 0, "codeso": 0, "senl": 1, "cedris": 0})
    record_enterprise_event(engine, listed("e2", name="Kringloop West"))
    assert search(q="KRING") == (2, {"pso": 1, "codeso": 0, "senl": 1, "cedris": 0})
    record_enterprise_event(engine, delisted("e1", version=3, name="Kringloop Oost"))
    assert search(q="kring") == (1, {"pso": 1, "codeso": 0, "senl": 0, "cedris": 0})


def test_a_repeated_search_is_answered_from_the_cache(engine: Engine) -> None:
    cache = SearchCache()
    seed_catalogue(engine)
    with Session(engine) as session:
        first = search_enterprises(session, SearchQuery(q="Bakkerij", province="UTRECHT"), cache)
        again = search_enterprises(session, SearchQuery(q="bakkerij!", province="utrecht"), cache)
    assert again is first
    assert len(cache.pages) == 1


def test_the_cache_keeps_only_the_most_recently_used_answers() -> None:
    cache = AnswerCache[int](size=2)
    cache.get_or_compute("a", lambda: 1)
    cache.get_or_compute("b", lambda: 2)
    cache.get_or_compute("a", lambda: 0)
    cache.get_or_compute("c", lambda: 3)
    assert cache.get_or_compute("a", lambda: 0) == 1
    assert cache.get_or_compute("b", lambda: 4) == 4
    assert len(cache) == 2


async def test_the_api_answers_from_the_latest_event_on() -> None:
    app = create_app(GatewaySettings(gateway_database_url="sqlite://"))
    create_tables(app.state.engine)
    record_enterprise_event(app.state.engine, listed("e1", name="Kringloop Oost"))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
            before = (await c.get("/api/v1/enterprises", params={"q": "kring"})).json()
            record_enterprise_event(app.state.engine, listed("e2", name="Kringloop West"))
            after = (await c.get("/api/v1/enterprises", params={"q": "kring"})).json()
            page = (await c.get("/", params={"q": "kring"})).text
    finally:
        app.state.engine.dispose()
    assert before["total"] == 1
    assert after["total"] == 2
    assert "Kringloop West" in page


async def test_health_counts_listed_enterprises_as_of_the_latest_event() -> None:
    app = create_app(GatewaySettings(gateway_database_url="sqlite://"))
    create_tables(app.state.engine)
    record_enterprise_event(app.state.engine, listed("e1", name="Kringloop Oost"))
    transport = httpx.ASGITransport(app=app)

    async def sizes() -> tuple[int, int]:
        body = (await c.get("/healthz")).json()
        return body["enterprises_listed"], body["events_processed"]

    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
            assert await sizes() == (1, 1)
            assert await sizes() == (1, 1)
            record_enterprise_event(app.state.engine, listed("e2", name="Kringloop West"))
            assert await sizes() == (2, 2)
            record_enterprise_event(app.state.engine, delisted("e1", version=2))
            assert await sizes() == (1, 3)
    finally:
        app.state.engine.dispose()
