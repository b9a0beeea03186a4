"""An alert from opt-in to one-click unsubscribe, against a real nats-server (the gateway and
the notifier each as their own NATS user) and a real SMTP server.

A buyer asks for an alert on the gateway's form, the confirmation mail arrives, a POST
confirms it, enterprises join and leave the read model, the digest task runs on the test's
clock, the digest mail arrives with both RFC 8058 headers, the one-click POST stops the
alert and the next period sends nothing. An empty period sends nothing, and a redelivered
digest is mailed once.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path

import httpx
import nats
import pytest
from fastapi import FastAPI
from nats.js.errors import NotFoundError

from contracts.alerts import AlertDigestReady, AlertEntry, AlertFilters
from contracts.enterprises import EnterpriseEvent
from contracts.subjects import ALERTS_STREAM, alert_subject
from services.gateway.alerts.bootstrap import Alerts
from services.gateway.alerts.digest import send_due_digests
from services.gateway.config import GatewaySettings
from services.gateway.handlers import record_enterprise_event
from services.gateway.main import create_app
from services.kit.nats_users import NOTIFIER_ALERTS
from services.notifier.config import NotifierSettings
from tests.fixtures.servers import NatsUsers, SmtpSink, running_nats
from tests.integration.notifier.helpers import (
    body,
    eventually,
    publish_on,
    running_notifier,
    wait_settled,
)
from tests.unit.gateway.events import delisted, listed
from tests.unit.gateway.test_signin_support import Clock

pytestmark = pytest.mark.integration

PUBLIC = "http://impactoost.example"
ADDRESS = "inkoop@enschede.example"
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')
CONFIRMED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday, 10:00 in Amsterdam
FIRST_END = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)  # Tuesday, 07:00 in Amsterdam


@pytest.fixture(scope="module")
def users(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsUsers]:
    """A nats-server of this module's own with the platform's users."""
    with running_nats(tmp_path_factory.mktemp("alerts-nats")) as running:
        yield running


@pytest.fixture
async def fresh_alerts(users: NatsUsers) -> NatsUsers:
    """No ALERTS stream (so no durable and no remembered ids): the gateway makes it anew."""
    nc = await nats.connect(users.url())
    try:
        with contextlib.suppress(NotFoundError):
            await nc.jetstream().delete_stream(ALERTS_STREAM.name)
    finally:
        await nc.close()
    return users


def notifier_settings(users: NatsUsers, sink: SmtpSink, tmp_path: Path) -> NotifierSettings:
    return NotifierSettings(
        nats_url=users.url("notifier"),
        data_dir=tmp_path / "notifier",
        smtp_host=sink.host,
        smtp_port=sink.port,
        mail_from="Impact Oost <noreply@impactoost.example>",
        public_base_url=PUBLIC,
        notifier_retry_seconds=0.3,
        smtp_timeout_seconds=5,
    )


@contextlib.asynccontextmanager
async def platform(
    users: NatsUsers, sink: SmtpSink, tmp_path: Path, clock: Clock
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The gateway (its lifespan running, on the test's clock) and the notifier."""
    settings = GatewaySettings(
        nats_url=users.url("gateway"),
        data_dir=tmp_path / "gateway",
        public_base_url=PUBLIC,
        gateway_consumer="gw-alerts",
        gateway_alert_check_seconds=3600,
    )
    app = create_app(settings)
    app.state.alerts.now = clock
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as c:
            await eventually(lambda: app.state.feed.started, "the gateway's feed")
            async with running_notifier(notifier_settings(users, sink, tmp_path)):
                yield app, c


async def subscribe_and_confirm(
    client: httpx.AsyncClient, sink: SmtpSink, query: str
) -> tuple[Message, str]:
    """Ask for a daily alert on the form, confirm it from the mail; the confirmation mail and
    the page that confirmed."""
    form = await client.get(f"/meldingen/nieuw?{query}")
    match = CSRF.search(form.text)
    assert match
    fields = dict(re.findall(r'name="(category|region)" value="([^"]+)" checked', form.text))
    data = {"csrf_token": match.group(1), "email": ADDRESS, "frequency": "daily", **fields}
    region = re.search(r'<option value="([^"]+)" selected>', form.text)
    if region:
        data["region"] = region.group(1)
    asked = await client.post("/meldingen/nieuw", data=data)
    assert asked.status_code == 200, asked.text
    await eventually(lambda: sink.messages_to(ADDRESS), "the confirmation mail")
    [mail] = sink.messages_to(ADDRESS)
    link = re.search(rf"{PUBLIC}(/meldingen/bevestigen\?token=[\w-]+)", body(mail, "plain"))
    assert link, body(mail, "plain")
    page = await client.get(link.group(1))
    token = re.search(r'name="token" value="([\w-]+)"', page.text)
    csrf = CSRF.search(page.text)
    assert page.status_code == 200 and token and csrf
    confirmed = await client.post(
        "/meldingen/bevestigen", data={"csrf_token": csrf.group(1), "token": token.group(1)}
    )
    assert "Uw melding is bevestigd" in confirmed.text
    return mail, confirmed.text


def at(event: EnterpriseEvent, day: int, hour: int) -> EnterpriseEvent:
    return event.model_copy(update={"occurred_at": datetime(2026, 3, day, hour, tzinfo=UTC)})


def project(app: FastAPI, *events: EnterpriseEvent) -> None:
    for event in events:
        record_enterprise_event(app.state.engine, event)


async def stream_count(users: NatsUsers) -> int:
    nc = await nats.connect(users.url())
    try:
        return (await nc.jetstream().stream_info(ALERTS_STREAM.name)).state.messages
    finally:
        await nc.close()


def unsubscribe_headers_of(mail: Message) -> tuple[str, str]:
    return mail["List-Unsubscribe"], mail["List-Unsubscribe-Post"]


async def test_an_alert_from_opt_in_to_one_click_unsubscribe(
    fresh_alerts: NatsUsers, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    clock = Clock(CONFIRMED)
    async with platform(fresh_alerts, smtp_sink, tmp_path, clock) as (app, client):
        alerts: Alerts = app.state.alerts
        project(
            app, at(listed("vertrekt", name="Bakkerij Vertrek", categories=("catering",)), 2, 8)
        )
        confirmation, _ = await subscribe_and_confirm(
            client, smtp_sink, "category=catering&region=Twente"
        )
        unsubscribe, one_click = unsubscribe_headers_of(confirmation)
        assert unsubscribe.startswith(f"<{PUBLIC}/meldingen/afmelden?token=")
        assert one_click == "List-Unsubscribe=One-Click"

        project(
            app,
            at(listed("kringloop", name="Kringloop Twente", categories=("catering",)), 2, 12),
            at(listed("elders", region="Achterhoek", categories=("catering",)), 2, 12),
            at(delisted("vertrekt", name="Bakkerij Vertrek", categories=("catering",)), 2, 14),
        )
        clock.now = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)
        assert await send_due_digests(alerts) == 1
        await eventually(lambda: len(smtp_sink.messages_to(ADDRESS)) == 2, "the digest mail")
        [digest] = [m for m in smtp_sink.messages_to(ADDRESS) if "wijzigingen" in m["Subject"]]
        text = body(digest, "plain")
        assert "Nieuw: Kringloop Twente, Enschede" in text
        assert "Niet meer vermeld: Bakkerij Vertrek, Enschede (het label is verlopen)" in text
        assert "Achterhoek" not in text.split("Bekijk")[0]
        assert f"{PUBLIC}/ondernemingen/kringloop" in text
        assert "Kringloop Twente" in body(digest, "html")
        assert unsubscribe_headers_of(digest) == (unsubscribe, "List-Unsubscribe=One-Click")
        assert "/meldingen/beheren?token=" in text

        link = unsubscribe.strip("<>").removeprefix(PUBLIC)
        stopped = await client.post(
            link,
            content=b"List-Unsubscribe=One-Click",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert stopped.status_code == 200

        project(app, at(listed("nieuwer", name="Nog Een", categories=("catering",)), 3, 12))
        clock.now = datetime(2026, 3, 4, 6, 30, tzinfo=UTC)
        assert await send_due_digests(alerts) == 0
        assert await stream_count(fresh_alerts) == 2
        await wait_settled(fresh_alerts.url(), ALERTS_STREAM.name, NOTIFIER_ALERTS, 2)
        assert len(smtp_sink.messages_to(ADDRESS)) == 2


async def test_an_empty_period_sends_nothing(
    fresh_alerts: NatsUsers, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    clock = Clock(CONFIRMED)
    async with platform(fresh_alerts, smtp_sink, tmp_path, clock) as (app, client):
        await subscribe_and_confirm(client, smtp_sink, "region=Achterhoek")
        project(app, at(listed("kringloop"), 2, 12))  # in Twente
        clock.now = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)
        assert await send_due_digests(app.state.alerts) == 0
        assert await stream_count(fresh_alerts) == 1
        await wait_settled(fresh_alerts.url(), ALERTS_STREAM.name, NOTIFIER_ALERTS, 1)
        assert len(smtp_sink.messages_to(ADDRESS)) == 1


async def test_a_redelivered_digest_is_mailed_once(
    fresh_alerts: NatsUsers, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    clock = Clock(CONFIRMED)
    async with platform(fresh_alerts, smtp_sink, tmp_path, clock):
        digest = AlertDigestReady(
            event_id="digest-redelivered-1",
            occurred_at=FIRST_END,
            source="test",
            alert_id="alert-redelivered",
            email=ADDRESS,
            frequency="daily",
            filters=AlertFilters(region="Twente"),
            manage_url=f"{PUBLIC}/meldingen/beheren?token=t",
            unsubscribe_url=f"{PUBLIC}/meldingen/afmelden?token=t",
            period_start=CONFIRMED,
            period_end=FIRST_END,
            entries=(
                AlertEntry(
                    enterprise_id="kringloop",
                    name="Kringloop Twente",
                    place="Enschede",
                    change="joined",
                    occurred_at=CONFIRMED,
                    url=f"{PUBLIC}/ondernemingen/kringloop",
                ),
            ),
            search_url=f"{PUBLIC}/?region=Twente",
        )
        subject = alert_subject("digest_ready")
        url = fresh_alerts.url()
        await publish_on(url, ALERTS_STREAM, subject, digest)
        last = await publish_on(url, ALERTS_STREAM, subject, digest, msg_id_suffix="-again")
        assert last == 2
        await wait_settled(url, ALERTS_STREAM.name, NOTIFIER_ALERTS, last)
        assert len(smtp_sink.messages_to(ADDRESS)) == 1
