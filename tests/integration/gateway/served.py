"""A gateway served over real HTTP by uvicorn in the test's event loop (no NATS: its feed is
not started), its read model seeded through the projection with enterprises whose texts are
long enough to test reflow, and a way to sign in as one of them."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from contracts.enterprises import EnterpriseEvent
from contracts.signin import SignInLinkIssued, token_hash
from contracts.supplements import BuyersContact
from services.gateway.config import GatewaySettings
from services.gateway.handlers import record_enterprise_event, record_scrape_event
from services.gateway.main import create_app
from services.gateway.read_model.database import create_tables
from services.gateway.signin.links import ENTERPRISE_LINKS
from services.gateway.signin.publishing import FakePublisher
from services.kit.processes import free_port
from tests.fixtures.served import served
from tests.unit.gateway.events import holding, listed, scrape_completed, supplement

LONG_WORD = "Arbeidsmatigedagbestedingsondersteuningscoöperatie"
LONG_URL = "https://www.heel-lange-naam-van-een-sociale-onderneming.example/" + "pad/" * 12


def seeded_events() -> list[EnterpriseEvent]:
    """Three listed enterprises; `lang` has a long name, a long website and a supplement."""
    return [
        listed("kringloop", categories=("catering",)),
        listed("soweco", name="Soweco", labels=(holding("cedris", level="leerwerkbedrijf"),)),
        listed(
            "lang",
            name=f"Stichting {LONG_WORD}",
            website=LONG_URL,
            themes=(LONG_WORD, "Circulaire economie"),
            categories=("catering", "schoonmaak"),
            summary=f"{LONG_WORD} die lunches verzorgt. Meer op {LONG_URL}",
            summary_label="pso",
            supplement=supplement(
                description=f"Wij zijn {LONG_WORD} en werken met {LONG_URL}",
                keywords=(LONG_WORD[:40], "lunch"),
                delivery_areas=("Twente",),
                contact=BuyersContact(
                    name="Afdeling Verkoop", email=f"{'verkoop' * 6}@voorbeeld.example"
                ),
            ),
        ),
    ]


@dataclass
class Served:
    """A gateway answering at `url`."""

    app: FastAPI
    url: str

    def issue_link(self, token: str, enterprise_id: str = "lang") -> str:
        """Project a sign-in link as the notifier would publish it; the URL to open."""
        now = datetime.now(UTC)
        event = SignInLinkIssued(
            event_id=f"link-{token}",
            occurred_at=now,
            source="test",
            enterprise_id=enterprise_id,
            email="verkoop@voorbeeld.example",
            token_hash=token_hash(token),
            expires_at=now + timedelta(minutes=30),
        )
        ENTERPRISE_LINKS.record(self.app.state.engine, [event], now)
        return f"{self.url}/aanvullen/inloggen?token={token}"


@contextlib.asynccontextmanager
async def served_gateway(
    tmp_path: Path, events: list[EnterpriseEvent] | None = None, **settings: Any
) -> AsyncIterator[Served]:
    """The gateway on a free port of 127.0.0.1, whose public base URL is that address."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    config = GatewaySettings(
        gateway_database_url="sqlite://",
        data_dir=tmp_path,
        public_base_url=url,
        **settings,
    )
    app = create_app(config, publisher=FakePublisher())
    create_tables(app.state.engine)
    for event in seeded_events() if events is None else events:
        record_enterprise_event(app.state.engine, event)
    record_scrape_event(app.state.engine, scrape_completed("pso"))
    try:
        async with served(app, port=port):
            yield Served(app, url)
    finally:
        app.state.engine.dispose()
