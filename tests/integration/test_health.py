"""Health that tells the truth, on a real nats-server with the platform's users: a service
answers with its durables, dead letters and relay; redeliveries, a dead letter and a relay
behind make it degraded; a service that does not answer is unreachable, never an error."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import api
from typer.testing import CliRunner

from contracts.subjects import STREAMS, SUPPLEMENTS_STREAM, health_subject, supplement_subject
from services.cli.main import app
from services.gateway.config import GatewaySettings
from services.gateway.main import create_app
from services.kit.deadletters import DeadLetter, put_dead_letter
from services.kit.health import ConsumerHealth, Extra, HealthCheck
from services.kit.health_requests import HealthResponder, ask_all, ask_health
from services.kit.nats_access import connect
from services.kit.nats_users import REGISTRY_SUPPLEMENTS, Durable
from services.kit.streams import ensure_streams
from tests.fixtures.servers import NatsUsers, running_nats

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SUPPLEMENTS = Durable(SUPPLEMENTS_STREAM.name, REGISTRY_SUPPLEMENTS)


@pytest.fixture
def users(tmp_path: Path) -> Iterator[NatsUsers]:
    """A server of this test's own: dead letters and durables of other tests never count."""
    with running_nats(tmp_path) as running:
        yield running


@pytest.fixture
async def platform(users: NatsUsers) -> NatsUsers:
    await ensure_streams(users.url(), STREAMS)
    return users


@contextlib.asynccontextmanager
async def connected(users: NatsUsers, user: str) -> AsyncIterator[Client]:
    client = await connect(users.url(user), allow_reconnect=False, connect_timeout=5)
    try:
        yield client
    finally:
        await client.close()


def relay(backlog: int, oldest: datetime | None) -> Extra:
    """The registry's relay section as relay_health will give it."""

    async def section() -> Mapping[str, Any]:
        return {"relay": {"backlog": backlog, "oldest_unpublished_at": oldest}}

    return section


@contextlib.asynccontextmanager
async def registry_answering(users: NatsUsers, extra: Extra | None = None) -> AsyncIterator[Client]:
    """The registry's user with its supplements durable, answering its health requests."""
    async with connected(users, "registry") as registry:
        config = api.ConsumerConfig(
            durable_name=REGISTRY_SUPPLEMENTS, ack_policy=api.AckPolicy.EXPLICIT
        )
        await registry.jetstream().add_consumer(SUPPLEMENTS_STREAM.name, config)
        check = HealthCheck("registry", (SUPPLEMENTS,), extra=extra, clock=lambda: NOW)
        responder = HealthResponder(check)
        await responder.start(registry)
        try:
            yield registry
        finally:
            await responder.stop()


async def feed_started(web: httpx.AsyncClient) -> None:
    """Wait until the gateway's feed (and with it its health responder) has started."""
    async with asyncio.timeout(30):
        while True:
            if (await web.get("/healthz")).json()["feed_started"]:
                return
            await asyncio.sleep(0.1)


async def publish_supplements(users: NatsUsers, count: int) -> None:
    async with connected(users, "gateway") as gateway:
        for n in range(count):
            await gateway.jetstream().publish(
                supplement_subject(), b"{}", headers={"Nats-Msg-Id": f"health-{n}"}
            )


async def test_a_service_answers_with_its_durables_dead_letters_and_relay(
    platform: NatsUsers,
) -> None:
    await publish_supplements(platform, 2)
    behind = relay(3, NOW - timedelta(seconds=5))
    async with (
        registry_answering(platform, behind),
        connected(platform, "gateway") as gateway,
    ):
        report = await ask_health(gateway, "registry")
    assert (report.service, report.status, report.problems) == ("registry", "ok", [])
    assert report.checked_at == NOW
    assert report.consumers == [
        ConsumerHealth(
            stream="SUPPLEMENTS",
            durable=REGISTRY_SUPPLEMENTS,
            pending=2,
            ack_pending=0,
            redelivered=0,
        )
    ]
    assert report.dead_letters == 0
    assert report.relay is not None
    assert (report.relay.backlog, report.relay.oldest_age_seconds) == (3, 5.0)


async def test_redelivered_messages_show_up_and_degrade_the_report(platform: NatsUsers) -> None:
    await publish_supplements(platform, 1)
    async with (
        registry_answering(platform) as registry,
        connected(platform, "gateway") as gateway,
    ):
        pull = await registry.jetstream().pull_subscribe_bind(
            REGISTRY_SUPPLEMENTS, SUPPLEMENTS_STREAM.name
        )
        (first,) = await pull.fetch(1, timeout=5)
        await first.nak()
        (again,) = await pull.fetch(1, timeout=5)
        assert again.metadata.num_delivered == 2
        report = await ask_health(gateway, "registry")
    (consumer,) = report.consumers
    assert (consumer.ack_pending, consumer.redelivered) == (1, 1)
    assert report.status == "degraded"
    assert report.problems == [
        f"durable {REGISTRY_SUPPLEMENTS} on SUPPLEMENTS: 1 message(s) redelivered"
    ]


async def test_a_dead_letter_shows_up_and_degrades_only_its_services_report(
    platform: NatsUsers,
) -> None:
    letter = DeadLetter(
        service="registry",
        consumer=REGISTRY_SUPPLEMENTS,
        kind="invalid",
        reason="not JSON",
        subject=supplement_subject(),
        body=b"{",
        headers={"Nats-Msg-Id": "broken-supplement"},
        stream=SUPPLEMENTS_STREAM.name,
        sequence=1,
    )
    async with connected(platform, "registry") as registry:
        await put_dead_letter(registry.jetstream(), letter)
    async with (
        registry_answering(platform),
        connected(platform, "notifier") as notifier,
        connected(platform, "gateway") as gateway,
    ):
        quiet = HealthResponder(HealthCheck("notifier"))
        await quiet.start(notifier)
        registry_report, notifier_report = await ask_all(gateway, ["registry", "notifier"])
    assert registry_report.dead_letters == 1
    assert registry_report.status == "degraded"
    assert registry_report.problems == ["1 dead letter(s): see `impactoost dlq list`"]
    assert (notifier_report.status, notifier_report.dead_letters) == ("ok", 0)


async def test_a_relay_behind_for_over_a_minute_degrades_the_report(platform: NatsUsers) -> None:
    stuck = relay(200, NOW - timedelta(seconds=75))
    async with registry_answering(platform, stuck), connected(platform, "gateway") as gateway:
        report = await ask_health(gateway, "registry")
    assert report.status == "degraded"
    assert report.problems == ["outbox relay behind: oldest unpublished row 75 s old, 200 waiting"]


async def test_a_service_that_does_not_answer_is_reported_unreachable(
    platform: NatsUsers,
) -> None:
    async with (
        registry_answering(platform),
        connected(platform, "notifier") as notifier,
        connected(platform, "gateway") as gateway,
    ):
        hung = asyncio.Event()

        async def never_answer(msg: Msg) -> None:
            await hung.wait()

        await notifier.subscribe(health_subject("notifier"), cb=never_answer)
        await notifier.flush()
        reports = await ask_all(gateway, ["registry", "notifier", "scraper"], timeout=0.3)
        hung.set()
    assert [(r.service, r.status) for r in reports] == [
        ("registry", "ok"),
        ("notifier", "unreachable"),
        ("scraper", "unreachable"),
    ]
    assert reports[1].problems == ["no answer within 0.3 s"]
    assert reports[2].problems == ["no answer: not running"]
    assert reports[2].dead_letters is None


async def test_healthz_gathers_every_service_and_the_gateways_own(
    platform: NatsUsers, tmp_path: Path
) -> None:
    settings = GatewaySettings(
        nats_url=platform.url("gateway"),
        data_dir=tmp_path,
        gateway_consumer="gateway-health",
        health_cache_seconds=0,
    )
    app = create_app(settings)
    stuck = relay(4, NOW - timedelta(seconds=90))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://localhost"
        ) as web,
        registry_answering(platform, stuck),
        connected(platform, "notifier") as notifier,
    ):
        await HealthResponder(HealthCheck("notifier")).start(notifier)
        await feed_started(web)
        response = await web.get("/healthz")
        async with connected(platform, "gateway") as asker:
            own = await ask_health(asker, "gateway")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["problems"] == ["scraper: unreachable", "registry: degraded"]
    services = {s["service"]: s for s in body["services"]}
    assert list(services) == ["scraper", "registry", "notifier"]
    assert services["scraper"]["status"] == "unreachable"
    assert services["registry"]["relay"]["backlog"] == 4
    assert services["notifier"]["status"] == "ok"
    assert {(c["stream"], c["durable"]) for c in body["consumers"]} == {
        ("ENTERPRISES", "gateway-health"),
        ("SCRAPES", "gateway-health"),
        ("SIGNINS", "gateway-health"),
        ("SIGNINS", "gateway-health-editors"),
        ("NEWS", "gateway-health"),
        ("AGENDA", "gateway-health"),
    }
    assert body["dead_letters"] == 0
    # The gateway answers `impactoost health` too, with its own report.
    assert (own.status, len(own.consumers)) == ("ok", 6)


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str


def impactoost_health(users: NatsUsers, tmp_path: Path) -> Run:
    """`impactoost health` as the operator runs it, connecting as the gateway's user."""
    environment = {
        "IMPACTOOST_DATA_DIR": str(tmp_path),
        "IMPACTOOST_NATS_URL": users.url("gateway"),
    }
    result = CliRunner().invoke(app, ["health", "--timeout", "2"], env=environment)
    return Run(result.exit_code, result.stdout)


async def test_the_health_command_prints_each_service_and_fails_unless_all_are_ok(
    platform: NatsUsers, tmp_path: Path
) -> None:
    others = ("scraper", "notifier", "gateway")
    async with registry_answering(platform, relay(0, None)), contextlib.AsyncExitStack() as stack:
        for name in others:
            client = await stack.enter_async_context(connected(platform, name))
            await HealthResponder(HealthCheck(name)).start(client)
        healthy = await asyncio.to_thread(impactoost_health, platform, tmp_path)
        await put_dead_letter(
            (await stack.enter_async_context(connected(platform, "scraper"))).jetstream(),
            DeadLetter(
                service="scraper",
                consumer="outbox",
                kind="unpublishable",
                reason="too large",
                subject="impact.v1.labels.pso.granted",
                body=b"{}",
                headers={"Nats-Msg-Id": "too-large"},
            ),
        )
        degraded = await asyncio.to_thread(impactoost_health, platform, tmp_path)
    assert healthy.returncode == 0, healthy.stdout
    assert healthy.stdout.splitlines() == [
        "scraper: ok",
        "  dead letters: 0",
        "registry: ok",
        f"  {REGISTRY_SUPPLEMENTS} on SUPPLEMENTS: 0 pending, 0 awaiting ack, 0 redelivered",
        "  dead letters: 0",
        "  outbox relay: 0 unpublished",
        "notifier: ok",
        "  dead letters: 0",
        "gateway: ok",
        "  dead letters: 0",
    ]
    assert degraded.returncode == 1
    assert degraded.stdout.splitlines()[:3] == [
        "scraper: degraded",
        "  dead letters: 1",
        "  problem: 1 dead letter(s): see `impactoost dlq list`",
    ]


async def test_the_registry_notifier_and_scraper_answer_from_their_composition_roots(
    platform: NatsUsers, tmp_path: Path
) -> None:
    from faststream import TestApp

    from services.notifier.config import NotifierSettings
    from services.notifier.main import create_app as create_notifier
    from services.registry.config import RegistrySettings
    from services.registry.main import create_app as create_registry
    from services.scraper.config import ScraperSettings
    from services.scraper.main import create_app as create_scraper

    registry = RegistrySettings(
        nats_url=platform.url("registry"),
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'registry.db'}",
        pdok_base_url="",
    )
    notifier = NotifierSettings(nats_url=platform.url("notifier"), data_dir=tmp_path)
    scraper = ScraperSettings(nats_url=platform.url("scraper"), data_dir=tmp_path, scrape_labels=[])
    async with (
        TestApp(create_registry(registry)),
        TestApp(create_notifier(notifier)),
        TestApp(create_scraper(scraper)),
        connected(platform, "gateway") as gateway,
    ):
        reports = await ask_all(gateway, ["registry", "notifier", "scraper"])
    assert [(r.service, r.status, r.problems) for r in reports] == [
        ("registry", "ok", []),
        ("notifier", "ok", []),
        ("scraper", "ok", []),
    ]
    registry_report, notifier_report, scraper_report = reports
    assert {(c.stream, c.durable) for c in registry_report.consumers} == {
        ("LABELS", "registry-labels"),
        ("SUPPLEMENTS", "registry-supplements"),
        ("SIGNINS", "registry-signins"),
    }
    assert {c.stream for c in notifier_report.consumers} >= {"ENTERPRISES", "SIGNINS"}
    assert (scraper_report.consumers, scraper_report.dead_letters) == ([], 0)
