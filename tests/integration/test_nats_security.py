"""The attacks an open NATS server allowed, each now refused by the server the platform ships
(the users table rendered into a real nats-server's accounts): anonymous clients, forged
events, deleting streams and other services' durables, reading other clients' replies."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import nats
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import api

from contracts.subjects import (
    ENTERPRISES_STREAM,
    LABELS_STREAM,
    STREAMS,
    SUPPLEMENTS_STREAM,
    health_subject,
    label_subject,
)
from services.kit.nats_access import connect
from services.kit.nats_users import NOTIFIER_MAIL, SERVICE_USERS
from services.kit.streams import ensure_streams
from tests.fixtures.servers import NatsUsers

pytestmark = pytest.mark.integration

REFUSAL_WAIT = (
    0.5  # seconds a refused JetStream API request is given before it counts as unanswered
)


class Refusals:
    """A connection's asynchronous errors: how the server reports a permissions violation."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    async def record(self, exc: Exception) -> None:
        self.seen.append(str(exc))

    def of(self, kind: str, subject: str) -> bool:
        return f'permissions violation for {kind} to "{subject.lower()}"' in self.seen_text

    @property
    def seen_text(self) -> str:
        return "\n".join(self.seen)


@contextlib.asynccontextmanager
async def connected(url: str) -> AsyncIterator[tuple[Client, Refusals]]:
    refusals = Refusals()
    client = await connect(url, error_cb=refusals.record, allow_reconnect=False, connect_timeout=5)
    try:
        yield client, refusals
    finally:
        await client.close()


@pytest.fixture
async def streams(nats_users: NatsUsers) -> NatsUsers:
    await ensure_streams(nats_users.url(), STREAMS)
    return nats_users


async def test_an_anonymous_client_is_refused_at_connect(nats_users: NatsUsers) -> None:
    with pytest.raises(nats.errors.Error, match="Authorization Violation"):
        await nats.connect(
            nats_users.anonymous_url, allow_reconnect=False, max_reconnect_attempts=0
        )
    wrong = nats_users.url("gateway").replace(nats_users.passwords["gateway"], "guessed")
    with pytest.raises(nats.errors.Error, match="Authorization Violation"):
        await nats.connect(wrong, allow_reconnect=False, max_reconnect_attempts=0)


async def test_no_service_but_the_scraper_can_forge_a_label_event(streams: NatsUsers) -> None:
    subject = label_subject("pso", "granted")
    async with connected(streams.url()) as (tester, _):
        before = (await tester.jetstream().stream_info(LABELS_STREAM.name)).state.messages
        for user in ("registry", "notifier", "gateway", "demo"):
            async with connected(streams.url(user)) as (client, refusals):
                with pytest.raises(nats.errors.TimeoutError):
                    await client.jetstream().publish(subject, b"{}", timeout=REFUSAL_WAIT)
                assert refusals.of("publish", subject), user
        after = (await tester.jetstream().stream_info(LABELS_STREAM.name)).state.messages
    assert after == before


async def test_no_user_can_delete_or_purge_a_stream(streams: NatsUsers) -> None:
    for user in (*(u.name for u in SERVICE_USERS), "demo"):
        async with connected(streams.url(user)) as (client, refusals):
            js = client.jetstream(timeout=REFUSAL_WAIT)
            names = [s.name for s in STREAMS]
            calls = [js.delete_stream(n) for n in names] + [js.purge_stream(n) for n in names]
            outcomes = await asyncio.gather(*calls, return_exceptions=True)
            assert all(isinstance(o, nats.errors.TimeoutError) for o in outcomes), user
            for stream in names:
                assert refusals.of("publish", f"$JS.API.STREAM.DELETE.{stream}"), user
                assert refusals.of("publish", f"$JS.API.STREAM.PURGE.{stream}"), user
    async with connected(streams.url()) as (tester, _):
        left = {info.config.name for info in await tester.jetstream().streams_info()}
    assert {s.name for s in STREAMS} <= left


async def test_a_service_cannot_reshape_another_services_stream(streams: NatsUsers) -> None:
    async with connected(streams.url()) as (tester, _):
        labels = (await tester.jetstream().stream_info(LABELS_STREAM.name)).config
    labels_age = labels.max_age
    async with connected(streams.url("gateway")) as (gateway, refusals):
        js = gateway.jetstream(timeout=REFUSAL_WAIT)
        labels.max_age = 1.0  # would silently drop every label event after a second
        with pytest.raises(nats.errors.TimeoutError):
            await js.update_stream(labels)
        assert refusals.of("publish", f"$JS.API.STREAM.UPDATE.{LABELS_STREAM.name}")
        # Its own streams it may bring to the contract's shape.
        own = (await js.stream_info(SUPPLEMENTS_STREAM.name)).config
        await gateway.jetstream().update_stream(own)
    async with connected(streams.url()) as (tester, _):
        kept = (await tester.jetstream().stream_info(LABELS_STREAM.name)).config.max_age
    assert kept == labels_age


async def test_the_notifiers_durable_is_its_own(streams: NatsUsers) -> None:
    config = api.ConsumerConfig(durable_name=NOTIFIER_MAIL, ack_policy=api.AckPolicy.EXPLICIT)
    async with connected(streams.url("notifier")) as (notifier, _):
        await notifier.jetstream().add_consumer(ENTERPRISES_STREAM.name, config)
    for user in ("gateway", "registry", "scraper", "demo"):
        async with connected(streams.url(user)) as (client, refusals):
            js = client.jetstream(timeout=REFUSAL_WAIT)
            with pytest.raises(nats.errors.TimeoutError):
                await js.delete_consumer(ENTERPRISES_STREAM.name, NOTIFIER_MAIL)
            with pytest.raises(nats.errors.TimeoutError):  # nor take its messages
                pull = await js.pull_subscribe_bind(NOTIFIER_MAIL, ENTERPRISES_STREAM.name)
                await pull.fetch(1, timeout=REFUSAL_WAIT)
            deleted = f"$JS.API.CONSUMER.DELETE.{ENTERPRISES_STREAM.name}.{NOTIFIER_MAIL}"
            assert refusals.of("publish", deleted), user
    async with connected(streams.url("notifier")) as (notifier, _):
        info = await notifier.jetstream().consumer_info(ENTERPRISES_STREAM.name, NOTIFIER_MAIL)
        assert info.name == NOTIFIER_MAIL


async def test_a_client_cannot_read_another_clients_replies(streams: NatsUsers) -> None:
    async with (
        connected(streams.url("gateway")) as (gateway, refusals),
        connected(streams.url("registry")) as (registry, _),
    ):
        overheard: list[bytes] = []

        async def listen(msg: nats.aio.msg.Msg) -> None:
            overheard.append(msg.data)

        for pattern in ("_INBOX.>", "_INBOX_registry.>", ">"):
            await gateway.subscribe(pattern, cb=listen)
        await gateway.flush()
        # The registry's own JetStream calls are answered on its inbox, and still work.
        info = await registry.jetstream().stream_info(ENTERPRISES_STREAM.name)
        assert info.config.name == ENTERPRISES_STREAM.name
        await asyncio.sleep(0.2)
        for pattern in ("_INBOX.>", "_INBOX_registry.>", ">"):
            assert refusals.of("subscription", pattern), pattern
    assert overheard == []


async def test_a_service_cannot_answer_another_services_health(streams: NatsUsers) -> None:
    registry_health = health_subject("registry")
    for user in ("notifier", "scraper", "gateway", "demo"):
        async with connected(streams.url(user)) as (client, refusals):
            await client.subscribe(registry_health, cb=_ignore)
            await client.flush()
            await asyncio.sleep(0.2)
            assert refusals.of("subscription", registry_health), user
    async with (
        connected(streams.url("gateway")) as (gateway, _),
        connected(streams.url("registry")) as (registry, refusals),
    ):
        with pytest.raises(nats.errors.NoRespondersError):
            await gateway.request(registry_health, b"", timeout=REFUSAL_WAIT)
        # Its own subject the registry answers; only the gateway may ask (and the operator).
        await registry.subscribe(registry_health, cb=_answer_ok)
        await registry.flush()
        assert await _answer(gateway, registry_health) == b"ok"
        with pytest.raises(nats.errors.TimeoutError):
            await registry.request(health_subject("notifier"), b"", timeout=REFUSAL_WAIT)
        assert refusals.of("publish", health_subject("notifier"))


async def _answer(client: Client, subject: str) -> bytes:
    """The answer to a request, asking again while the responder's interest is still on its
    way through the server (a loaded machine can take a moment)."""
    for _ in range(50):
        try:
            return bytes((await client.request(subject, b"", timeout=5)).data)
        except nats.errors.NoRespondersError:
            await asyncio.sleep(0.1)
    raise AssertionError(f"nobody answered on {subject}")


async def _ignore(msg: Msg) -> None:
    return None


async def _answer_ok(msg: Msg) -> None:
    await msg.respond(b"ok")
