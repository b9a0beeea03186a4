"""Shared setup of the alert tests (no tests here): a gateway app (not started) with a fake
publisher and a clock of its own, its read model and alert table made."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from fastapi import FastAPI

from contracts.alerts import AlertConfirmationRequested
from services.gateway.alerts.bootstrap import Alerts
from services.gateway.alerts.tables import create_alert_tables
from services.gateway.config import GatewaySettings
from services.gateway.main import create_app
from services.gateway.read_model.database import create_tables
from services.gateway.signin.publishing import FakePublisher
from tests.unit.gateway.test_signin_support import Clock

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')
PUBLIC = "https://impactoost.example"
ADDRESS = "inkoop@enschede.example"


@dataclass
class AlertGateway:
    """An app under test and what the tests look at."""

    app: FastAPI
    client: httpx.AsyncClient
    publisher: FakePublisher
    clock: Clock

    @property
    def alerts(self) -> Alerts:
        alerts: Alerts = self.app.state.alerts
        return alerts

    async def csrf_token(self, url: str = "/meldingen/nieuw") -> str:
        """The CSRF token of a form on `url` (its page sets this client's CSRF cookie)."""
        response = await self.client.get(url)
        match = CSRF.search(response.text)
        assert match, response.text
        return match.group(1)

    async def subscribe(self, **fields: Any) -> httpx.Response:
        """Post the alert form, weekly for `ADDRESS` unless `fields` say otherwise."""
        data = {"email": ADDRESS, "frequency": "weekly", **fields}
        data["csrf_token"] = await self.csrf_token()
        return await self.client.post("/meldingen/nieuw", data=data)

    def confirmations(self) -> list[AlertConfirmationRequested]:
        """The confirmation requests published so far."""
        return [e for e in self.publisher.events if isinstance(e, AlertConfirmationRequested)]

    async def confirm(self, confirmation: AlertConfirmationRequested) -> httpx.Response:
        """Open the confirmation link and press its button."""
        path = local(confirmation.confirm_url)
        csrf = await self.csrf_token(path)
        return await self.client.post(
            "/meldingen/bevestigen", data={"csrf_token": csrf, "token": token_of(path)}
        )


def local(url: str) -> str:
    """A public link as a path the test client opens."""
    assert url.startswith(PUBLIC + "/"), url
    return url.removeprefix(PUBLIC)


def token_of(url: str) -> str:
    """The token a link carries."""
    return parse_qs(urlsplit(url).query)["token"][0]


@contextlib.asynccontextmanager
async def alert_gateway(tmp_path: Path, **settings: Any) -> AsyncIterator[AlertGateway]:
    """A gateway (not started: no NATS) with a fake publisher and a clock of its own."""
    publisher = FakePublisher()
    config = GatewaySettings(
        gateway_database_url="sqlite://",
        data_dir=tmp_path,
        public_base_url=PUBLIC,
        **settings,
    )
    app = create_app(config, publisher=publisher)
    clock = Clock()
    app.state.alerts.now = clock
    app.state.alerts.monotonic = clock.monotonic
    create_tables(app.state.engine)
    create_alert_tables(app.state.engine)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 50000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="https://gateway.test") as c:
            yield AlertGateway(app, c, publisher, clock)
    finally:
        app.state.engine.dispose()
