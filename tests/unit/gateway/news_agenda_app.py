"""A gateway app whose read model holds given news and agenda events, for the tests of the
news and agenda pages, feeds and API."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from contracts.agenda import AgendaEvent
from contracts.news import NewsEvent
from services.gateway.config import GatewaySettings
from services.gateway.hotspot_items.handlers import record_agenda_events, record_news_events
from services.gateway.main import create_app
from services.gateway.read_model.database import create_tables
from tests.unit.gateway.news_agenda_events import NOW, hotspots_file, in_stream

PUBLIC = "https://impactoost.example/platform"


@contextlib.contextmanager
def hotspot_app(
    directory: Path,
    news: Sequence[NewsEvent] = (),
    agenda: Sequence[AgendaEvent] = (),
    **settings: Any,
) -> Iterator[FastAPI]:
    """The app (not started) over a read model of its own holding `news` and `agenda`, its
    clock at `NOW`, its public address `PUBLIC`."""
    values: dict[str, Any] = {
        "gateway_database_url": f"sqlite:///{directory / 'gateway.db'}",
        "hotspots_file": hotspots_file(directory),
        "public_base_url": PUBLIC,
    }
    app = create_app(GatewaySettings(**(values | settings)))
    create_tables(app.state.engine)
    app.state.hotspot_items.now = lambda: NOW
    record_news_events(app.state.engine, in_stream("NEWS", news))
    record_agenda_events(app.state.engine, in_stream("AGENDA", agenda))
    try:
        yield app
    finally:
        app.state.engine.dispose()


@contextlib.asynccontextmanager
async def client_of(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client talking to `app` in-process, as a visitor on another host name."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        yield client
