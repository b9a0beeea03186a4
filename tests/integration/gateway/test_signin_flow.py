"""Sign-in and edit against a real nats-server: the request lands on SIGNINS, a link issued
on SIGNINS signs in once, and the edit lands on SUPPLEMENTS."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import nats
import pytest
from fastapi import FastAPI
from nats.js.api import ConsumerConfig, DeliverPolicy

from contracts.base import utc_now
from contracts.signin import SignInLinkIssued, SignInRequested, token_hash
from contracts.subjects import (
    ENTERPRISES_STREAM,
    SIGNINS_STREAM,
    STREAMS,
    enterprise_subject,
    signin_subject,
    supplement_subject,
)
from contracts.supplements import SupplementSubmitted
from services.gateway.config import GatewaySettings
from services.gateway.handlers import record_enterprise_event
from services.gateway.main import create_app
from services.kit.jetstream import make_broker, publish_event
from services.kit.processes import free_port
from services.kit.streams import ensure_streams
from tests.fixtures.servers import running_nats
from tests.integration.gateway.in_process import eventually, lifespan_client
from tests.unit.gateway.events import listed

pytestmark = pytest.mark.integration

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')
ADDRESS = "info@kringlooptwente.nl"


@pytest.fixture(scope="module")
def signin_nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A nats-server of this module's own, so the real streams hold only our events."""
    with running_nats(tmp_path_factory.mktemp("signin-nats")) as users:
        url = users.url()
        yield url


@pytest.fixture(scope="module")
async def stream(signin_nats_url: str) -> str:
    """The real streams, with Kringloop Twente listed on ENTERPRISES."""
    await ensure_streams(signin_nats_url, STREAMS)
    event = listed("kringloop")
    state = event.enterprise
    broker = make_broker(signin_nats_url)
    async with broker:
        subject = enterprise_subject(state.province, state.region, event.kind)
        await publish_event(broker, subject, event, stream=ENTERPRISES_STREAM)
    return signin_nats_url


@contextlib.asynccontextmanager
async def running_gateway(
    settings: GatewaySettings,
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The app with its lifespan running (feed and link consumer started), and a client."""
    app = create_app(settings)
    async with lifespan_client(app) as client:
        yield app, client


async def csrf_token(client: httpx.AsyncClient, url: str) -> str:
    """The CSRF token of the form on `url`."""
    match = CSRF.search((await client.get(url)).text)
    assert match
    return match.group(1)


async def stored(nats_url: str, subject: str) -> list[bytes]:
    """Every message the streams hold on `subject`, read by an ephemeral consumer."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        config = ConsumerConfig(deliver_policy=DeliverPolicy.ALL)
        subscription = await js.pull_subscribe(subject, config=config)
        try:
            messages = await subscription.fetch(100, timeout=2)
        except TimeoutError:  # nats-py raises its own or the built-in one
            return []
        return [message.data for message in messages]
    finally:
        await nc.close()


async def test_an_enterprise_signs_in_and_its_edit_lands_on_supplements(
    stream: str, tmp_path: Path
) -> None:
    settings = GatewaySettings(nats_url=stream, data_dir=tmp_path, gateway_consumer="gw-signin")
    async with running_gateway(settings) as (_, client):

        async def fed() -> bool:
            health = (await client.get("/healthz")).json()
            listed_now = (await client.get("/ondernemingen/kringloop")).status_code == 200
            return bool(health["feed_started"]) and listed_now

        await eventually(fed)
        form = "/ondernemingen/kringloop/aanvullen"
        answer = await client.post(
            form, data={"csrf_token": await csrf_token(client, form), "email": ADDRESS}
        )
        assert answer.status_code == 200 and "ontvangt u binnen enkele minuten" in answer.text
        requests = [
            SignInRequested.model_validate_json(body)
            for body in await stored(stream, signin_subject("requested"))
        ]
        assert [(r.enterprise_id, r.email) for r in requests] == [("kringloop", ADDRESS)]

        token = "integratie-token-1"
        issued = SignInLinkIssued(
            event_id="link-integratie-1",
            occurred_at=utc_now(),
            source="test",
            enterprise_id="kringloop",
            email=ADDRESS,
            token_hash=token_hash(token),
            expires_at=utc_now() + timedelta(minutes=30),
        )
        broker = make_broker(stream)
        async with broker:
            await publish_event(
                broker, signin_subject("link_issued"), issued, stream=SIGNINS_STREAM
            )

        confirm = f"/aanvullen/inloggen?token={token}"

        async def link_known() -> bool:
            return (await client.get(confirm)).status_code == 200

        await eventually(link_known)
        csrf = await csrf_token(client, confirm)
        signed_in = await client.post(
            "/aanvullen/inloggen", data={"csrf_token": csrf, "token": token}
        )
        assert signed_in.status_code == 303
        again = await client.post("/aanvullen/inloggen", data={"csrf_token": csrf, "token": token})
        assert again.status_code == 410

        edit = signed_in.headers["location"]
        data = {
            "csrf_token": csrf,
            "description": "Wij verzorgen lunches.",
            "categories": "catering",
            "delivery_areas": "Twente",
            "contact_email": "inkoop@kringlooptwente.nl",
        }
        received = await client.post(edit, data=data)
        assert received.status_code == 200 and "Uw aanvulling is ontvangen" in received.text
        bodies = await stored(stream, supplement_subject())
        [submitted] = [SupplementSubmitted.model_validate_json(body) for body in bodies]
        assert (submitted.enterprise_id, submitted.submitted_by) == ("kringloop", ADDRESS)
        assert submitted.supplement.categories == ("catering",)
        assert submitted.supplement.delivery_areas == ("Twente",)


async def test_without_nats_the_form_answers_503_and_the_gateway_keeps_serving(
    tmp_path: Path,
) -> None:
    settings = GatewaySettings(
        nats_url=f"nats://127.0.0.1:{free_port()}",
        data_dir=tmp_path,
        gateway_database_url=f"sqlite:///{tmp_path / 'gw.db'}",
    )
    async with running_gateway(settings) as (app, client):
        record_enterprise_event(app.state.engine, listed("kringloop"))
        form = "/ondernemingen/kringloop/aanvullen"
        answer = await client.post(
            form, data={"csrf_token": await csrf_token(client, form), "email": ADDRESS}
        )
        assert answer.status_code == 503 and "Tijdelijk niet beschikbaar" in answer.text
        assert (await client.get("/ondernemingen/kringloop")).status_code == 200
