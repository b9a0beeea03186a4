"""A gateway app over an in-memory read model, seeded through the projection handlers."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from contracts.enterprises import EnterpriseEvent
from services.gateway.config import GatewaySettings
from services.gateway.handlers import record_enterprise_event, record_scrape_event
from services.gateway.main import create_app
from services.gateway.read_model.database import create_tables, make_engine
from tests.unit.gateway.events import (
    delisted,
    holding,
    in_grace,
    listed,
    moved_away,
    recertification_due,
    scrape_completed,
    scrape_failed,
    updated,
)
from tests.unit.gateway.offers import OFFERS

GRACE_UNTIL = date(2026, 4, 11)


@pytest.fixture
def engine() -> Iterator[Engine]:
    """An empty in-memory read model."""
    engine = make_engine("sqlite://")
    create_tables(engine)
    yield engine
    engine.dispose()


def seed_catalogue(engine: Engine) -> None:
    """25 listed enterprises (20 of them bakeries in Utrecht) and one delisted one."""
    events: list[EnterpriseEvent] = [
        listed("kringloop", labels=(holding("pso", level="trede-3", pso30plus=True),)),
        listed(
            "fietser",
            name="De Groene Fietser",
            place="Zwolle",
            municipality="Zwolle",
            region="Regio Zwolle",
            themes=("Arbeidsparticipatie", "Circulaire productie"),
            labels=(holding("codeso", level=None, status="geregistreerd"),),
        ),
        listed(
            "tunga",
            name="Tunga",
            place="Amsterdam",
            municipality="Amsterdam",
            province="Noord-Holland",
            region="Amsterdam",
            themes=(),
            kvk=(),
            labels=(holding("senl", level="boost", status="lid", valid_until=None),),
        ),
        listed(
            "soweco",
            name="Soweco",
            place="Zwolle",
            municipality="Zwolle",
            region="Regio Zwolle",
            themes=("Arbeidsparticipatie",),
            labels=(holding("cedris", level="leerwerkbedrijf"), holding("pso", level="basistrede")),
        ),
        listed(
            "koffie",
            name="Aspirant Koffie",
            place="Utrecht",
            municipality="Utrecht",
            province="Utrecht",
            region="Regio Utrecht",
            themes=("Koffie",),
            labels=(
                holding("codeso", level=None, status="geregistreerd"),
                holding("pso", level="aspirant", status="aspirant", counts=False),
            ),
        ),
        listed("verlopen", name="Verlopen Bakkerij", province="Utrecht"),
        delisted("verlopen", name="Verlopen Bakkerij", province="Utrecht"),
        *[
            listed(
                f"bakkerij-{n:02}",
                name=f"Bakkerij {n:02}",
                place="Utrecht",
                municipality="Utrecht",
                province="Utrecht",
                region="Regio Utrecht",
                themes=("Brood",),
                labels=(holding("pso", level="trede-1"),),
            )
            for n in range(1, 21)
        ],
    ]
    for event in events:
        record_enterprise_event(engine, event)
    record_scrape_event(engine, scrape_completed("pso"))
    record_scrape_event(engine, scrape_failed("codeso", reason="403 <b>nonce</b>"))


@pytest.fixture(scope="module")
def app() -> Iterator[FastAPI]:
    """The gateway app (not started: no NATS) with its read model seeded; tests only read."""
    app = create_app(GatewaySettings(gateway_database_url="sqlite://"))
    create_tables(app.state.engine)
    seed_catalogue(app.state.engine)
    yield app
    app.state.engine.dispose()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in-process."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
        yield c


@contextlib.asynccontextmanager
async def client_for(
    *events: EnterpriseEvent,
    prepare: Callable[[FastAPI], None] | None = None,
    **settings: Any,
) -> AsyncIterator[httpx.AsyncClient]:
    """A client for a gateway app of its own (with `settings`) whose read model holds only
    `events`; `prepare` may set the app's parts up first."""
    app = create_app(GatewaySettings(gateway_database_url="sqlite://", **settings))
    create_tables(app.state.engine)
    if prepare is not None:
        prepare(app)
    for event in events:
        record_enterprise_event(app.state.engine, event)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
            yield c
    finally:
        app.state.engine.dispose()


@pytest.fixture
async def grace_client() -> AsyncIterator[httpx.AsyncClient]:
    """Kringloop listed only through a lapsed PSO label in its grace period; Soweco with a
    PSO label in grace beside a valid Cedris one; Verhuisd, delisted as it left the region."""
    async with client_for(
        listed("kringloop", version=1),
        recertification_due("kringloop", version=1, lead_days=7),
        updated("kringloop", version=2, grace_until=GRACE_UNTIL, labels=(in_grace(GRACE_UNTIL),)),
        listed(
            "soweco",
            name="Soweco",
            labels=(holding("cedris", level="leerwerkbedrijf"), in_grace(GRACE_UNTIL)),
        ),
        listed("verhuisd", name="Verhuisd Bedrijf"),
        moved_away("verhuisd", version=2, name="Verhuisd Bedrijf"),
    ) as client:
        yield client


@pytest.fixture
async def offers_client() -> AsyncIterator[httpx.AsyncClient]:
    """Enterprises that offer catering, coffee, cleaning and re-integration (see offers.py)."""
    async with client_for(*OFFERS) as client:
        yield client
