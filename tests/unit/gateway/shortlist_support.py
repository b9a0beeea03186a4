"""Shared setup of the shortlist tests: a gateway app with its read model seeded and a clock
of its own, a client that keeps cookies, and the steps a buyer takes."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi import FastAPI

from contracts.enterprises import EnterpriseEvent
from services.gateway.config import GatewaySettings
from services.gateway.handlers import record_enterprise_event
from services.gateway.main import create_app
from services.gateway.read_model.database import create_tables
from services.gateway.shortlists.tables import create_shortlist_tables
from tests.unit.gateway.events import holding, listed
from tests.unit.gateway.test_signin_support import Clock

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')
EDIT = re.compile(r"/inkooplijsten/bewerken/([A-Za-z0-9_-]{43})")
SHARE = re.compile(r"https://inkoop\.example/inkooplijsten/bekijken/([A-Za-z0-9_-]{43})")
CATALOGUE = (
    listed("kringloop", labels=(holding("pso", level="trede-3", pso30plus=True),)),
    listed("fietser", name="=De Groene Fietser", place="Zwolle", region="Regio Zwolle"),
    listed("bakkerij", name="Bakkerij Één", place="Deventer"),
)


def edit(token: str, action: str = "") -> str:
    """The path of a list's edit page, or of one of its forms."""
    return f"/inkooplijsten/bewerken/{token}" + (f"/{action}" if action else "")


@dataclass
class Buyer:
    """A gateway app under test and a buyer's browser talking to it."""

    app: FastAPI
    client: httpx.AsyncClient
    clock: Clock

    def record(self, *events: EnterpriseEvent) -> None:
        """Project events into the read model, as the feed would."""
        for event in events:
            record_enterprise_event(self.app.state.engine, event)

    async def csrf(self, url: str = "/inkooplijsten") -> str:
        """The CSRF token of the forms on `url`."""
        match = CSRF.search((await self.client.get(url)).text)
        assert match, f"no form token on {url}"
        return match.group(1)

    async def create(self, name: str = "Kerstpakketten 2026", note: str = "") -> str:
        """Make a list; its edit secret."""
        data = {"csrf_token": await self.csrf(), "name": name, "note": note}
        created = await self.client.post("/inkooplijsten", data=data)
        assert created.status_code == 303, created.text
        match = EDIT.search(created.headers["location"])
        assert match
        return match.group(1)

    async def post(self, url: str, **fields: str) -> httpx.Response:
        """Submit a form of this browser, with its CSRF token."""
        return await self.client.post(url, data={"csrf_token": await self.csrf(), **fields})

    async def share_token(self, edit: str) -> str:
        """The share secret the edit page shows."""
        match = SHARE.search((await self.client.get(f"/inkooplijsten/bewerken/{edit}")).text)
        assert match
        return match.group(1)


@contextlib.asynccontextmanager
async def buyer_gateway(
    tmp_path: Path, *events: EnterpriseEvent, **settings: object
) -> AsyncIterator[Buyer]:
    """An app (not started: no NATS) whose read model holds `events`, with the shortlist
    tables made as the lifespan makes them, and a buyer's client."""
    app = create_app(
        GatewaySettings(
            gateway_database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
            data_dir=tmp_path,
            public_base_url="https://inkoop.example",
            **settings,  # type: ignore[arg-type]
        )
    )
    clock = Clock()
    app.state.shortlists.now = clock
    app.state.shortlists.monotonic = clock.monotonic
    create_tables(app.state.engine)
    create_shortlist_tables(app.state.engine)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="https://inkoop.example") as c:
            buyer = Buyer(app, c, clock)
            buyer.record(*events)
            yield buyer
    finally:
        app.state.engine.dispose()
