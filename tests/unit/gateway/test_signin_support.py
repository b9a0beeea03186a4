"""Shared setup of the sign-in tests (no tests here): a gateway app with a fake publisher and
a clock of its own, its read model seeded, and a client that keeps cookies."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from contracts.enterprises import EnterpriseEvent
from contracts.signin import SignInLinkIssued, token_hash
from services.gateway.config import GatewaySettings
from services.gateway.handlers import record_enterprise_event
from services.gateway.main import create_app
from services.gateway.read_model.database import create_tables
from services.gateway.signin.links import ENTERPRISE_LINKS
from services.gateway.signin.publishing import FakePublisher
from tests.unit.gateway.events import delisted, listed

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FIRST_LINK = "geheim-1"
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


@dataclass
class Clock:
    """The time the app sees; tests move it on."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def monotonic(self) -> float:
        return self.now.timestamp()

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Gateway:
    """An app under test and what the tests look at."""

    app: FastAPI
    client: httpx.AsyncClient
    publisher: FakePublisher
    clock: Clock
    issued: list[str] = field(default_factory=list)

    def issue_link(
        self, enterprise_id: str = "kringloop", token: str = FIRST_LINK, **kw: Any
    ) -> str:
        """Project a `SignInLinkIssued` for `token`, as the notifier would publish it."""
        event = SignInLinkIssued(
            event_id=f"link-{token}",
            occurred_at=self.clock.now,
            source="test",
            enterprise_id=enterprise_id,
            email=kw.get("email", "info@kringlooptwente.nl"),
            token_hash=token_hash(token),
            expires_at=kw.get("expires_at", self.clock.now + timedelta(minutes=30)),
        )
        ENTERPRISE_LINKS.record(self.app.state.engine, [event], self.clock.now)
        return token

    @contextlib.asynccontextmanager
    async def browser(self, ip: str) -> AsyncIterator[httpx.AsyncClient]:
        """Another browser, at client address `ip`, with cookies of its own."""
        transport = httpx.ASGITransport(app=self.app, client=(ip, 50000))
        base_url = self.client.base_url
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client

    async def csrf_token(self, url: str = "/ondernemingen/kringloop/aanvullen") -> str:
        """The CSRF token of a form on `url` (its page sets this client's CSRF cookie)."""
        response = await self.client.get(url)
        match = CSRF.search(response.text)
        assert match, response.text
        return match.group(1)

    async def sign_in(self, enterprise_id: str = "kringloop", token: str = FIRST_LINK) -> None:
        """Use a freshly issued link, as a browser would."""
        self.issue_link(enterprise_id, token)
        csrf = await self.csrf_token(f"/aanvullen/inloggen?token={token}")
        response = await self.client.post(
            "/aanvullen/inloggen", data={"csrf_token": csrf, "token": token}
        )
        assert response.status_code == 303, response.text


def default_events() -> list[EnterpriseEvent]:
    """Kringloop Twente and Soweco listed; Verlopen Bakkerij delisted."""
    return [
        listed("kringloop"),
        listed("soweco", name="Soweco", website="https://soweco.nl/"),
        listed("verlopen", name="Verlopen Bakkerij"),
        delisted("verlopen", name="Verlopen Bakkerij"),
    ]


@contextlib.asynccontextmanager
async def signin_gateway(
    tmp_path: Path,
    *events: EnterpriseEvent,
    base_url: str = "http://localhost",
    **settings: Any,
) -> AsyncIterator[Gateway]:
    """A gateway (not started: no NATS) whose read model holds `events` (default ones when
    none are given), with a fake publisher and a clock of its own."""
    publisher = FakePublisher()
    config = GatewaySettings(gateway_database_url="sqlite://", data_dir=tmp_path, **settings)
    app = create_app(config, publisher=publisher)
    clock = Clock()
    app.state.signin.now = clock
    app.state.signin.monotonic = clock.monotonic
    create_tables(app.state.engine)
    for event in events or default_events():
        record_enterprise_event(app.state.engine, event)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield Gateway(app, client, publisher, clock)
    finally:
        app.state.engine.dispose()
