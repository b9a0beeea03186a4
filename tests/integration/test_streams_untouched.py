"""Start-up on a real nats-server never rewrites a stream that is not ours: a region's stream
that sources ours and a mirror keep their configuration through every service's start. Ours
are brought to the contract's limits, which the server then enforces."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import nats
import pytest
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, StreamConfig, StreamSource
from nats.js.errors import APIError
from structlog.testing import capture_logs

from contracts.subjects import (
    ENTERPRISE_STATES_STREAM,
    ENTERPRISES_STREAM,
    LABELS_STREAM,
    SIGNINS_STREAM,
    STREAMS,
    SUPPLEMENTS_STREAM,
)
from services.gateway.config import GatewaySettings
from services.gateway.main import create_app as create_gateway
from services.kit.streams import MARK, ensure_streams, stream_config
from services.notifier.config import NotifierSettings
from services.notifier.main import create_app as create_notifier
from services.registry.config import RegistrySettings
from services.registry.main import create_app as create_registry
from tests.fixtures.servers import running_nats
from tests.integration.gateway.test_read_model_feed import eventually

pytestmark = pytest.mark.integration

DAY = 86400.0


@pytest.fixture
async def js(tmp_path: Path) -> AsyncIterator[tuple[str, JetStreamContext]]:
    """A nats-server of this test's own, and a JetStream context on it."""
    with running_nats(tmp_path / "nats") as users:
        url = users.url()
        nc = await nats.connect(url)
        try:
            yield url, nc.jetstream()
        finally:
            await nc.close()


async def regional_streams(js: JetStreamContext) -> None:
    """LABELS as a region makes it (our subjects, plus a source of its own), ENTERPRISES as a
    mirror of a hub's stream."""
    await js.add_stream(StreamConfig(name="HUB_LABELS", subjects=["hub.labels.>"]))
    await js.add_stream(StreamConfig(name="HUB_ENTERPRISES", subjects=["hub.enterprises.>"]))
    await js.add_stream(
        StreamConfig(
            name=LABELS_STREAM.name,
            subjects=list(LABELS_STREAM.subjects),
            sources=[StreamSource(name="HUB_LABELS")],
            max_age=7 * DAY,
        )
    )
    await js.add_stream(
        StreamConfig(name=ENTERPRISES_STREAM.name, mirror=StreamSource(name="HUB_ENTERPRISES"))
    )


async def configs(js: JetStreamContext, *names: str) -> dict[str, StreamConfig]:
    """Each named stream's configuration as the server reports it."""
    return {name: (await js.stream_info(name)).config for name in names}


async def start_and_stop_every_service(nats_url: str, data_dir: Path) -> None:
    """What each service does at start-up: the scraper ensures the streams; the registry,
    the notifier and the gateway start for real and stop again."""
    await ensure_streams(nats_url, STREAMS)
    registry = create_registry(
        RegistrySettings(nats_url=nats_url, data_dir=data_dir, pdok_base_url="")
    )
    await registry.start()
    await registry.stop()
    notifier = create_notifier(NotifierSettings(nats_url=nats_url, data_dir=data_dir))
    await notifier.start()
    await notifier.stop()
    gateway = create_gateway(GatewaySettings(nats_url=nats_url, data_dir=data_dir))
    async with gateway.router.lifespan_context(gateway):
        transport = httpx.ASGITransport(app=gateway)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:

            async def started() -> bool:
                return bool((await client.get("/healthz")).json()["feed_started"])

            await eventually(started)


async def test_sourced_and_mirrored_streams_survive_every_services_start_up(
    js: tuple[str, JetStreamContext], tmp_path: Path
) -> None:
    url, context = js
    await regional_streams(context)
    names = (LABELS_STREAM.name, ENTERPRISES_STREAM.name)
    before = await configs(context, *names)
    with capture_logs() as logs:
        await start_and_stop_every_service(url, tmp_path)
    assert await configs(context, *names) == before
    untouched = [log for log in logs if log["event"] == "stream_left_untouched"]
    assert {log["stream"] for log in untouched} == set(names)
    reasons = {log["stream"]: log["reason"] for log in untouched}
    assert reasons == {"LABELS": "sources HUB_LABELS", "ENTERPRISES": "mirrors HUB_ENTERPRISES"}
    differs = next(log for log in untouched if log["stream"] == "LABELS")["differs"]
    assert {"max_age", "max_bytes", "max_msgs", "max_msg_size"} <= set(differs)


async def test_a_stream_marked_by_someone_else_or_with_other_subjects_is_left_alone(
    js: tuple[str, JetStreamContext],
) -> None:
    url, context = js
    marked = StreamConfig(
        name=SIGNINS_STREAM.name,
        subjects=list(SIGNINS_STREAM.subjects),
        metadata={MARK: "SOMETHING_ELSE"},
    )
    await context.add_stream(marked)
    await context.add_stream(
        StreamConfig(name=SUPPLEMENTS_STREAM.name, subjects=["impact.v1.supplements.submitted"])
    )
    names = (SIGNINS_STREAM.name, SUPPLEMENTS_STREAM.name)
    before = await configs(context, *names)
    await ensure_streams(url, STREAMS)
    assert await configs(context, *names) == before


async def test_our_own_stream_with_changed_limits_is_still_updated(
    js: tuple[str, JetStreamContext],
) -> None:
    url, context = js
    await ensure_streams(url, [SUPPLEMENTS_STREAM])
    ours = (await context.stream_info(SUPPLEMENTS_STREAM.name)).config
    ours.max_age = 2 * DAY
    await context.update_stream(ours)
    # Made by a version from before the mark: a plain stream with exactly our subjects.
    await context.add_stream(
        StreamConfig(name=SIGNINS_STREAM.name, subjects=list(SIGNINS_STREAM.subjects))
    )
    with capture_logs() as logs:
        await ensure_streams(url, [SUPPLEMENTS_STREAM, SIGNINS_STREAM])
    after = await configs(context, SUPPLEMENTS_STREAM.name, SIGNINS_STREAM.name)
    assert after["SUPPLEMENTS"].max_age == 30 * DAY
    assert after["SIGNINS"].max_age == 1 * DAY
    assert (after["SIGNINS"].metadata or {})[MARK] == "SIGNINS"
    assert {log["stream"] for log in logs if log["event"] == "stream_updated"} == set(after)
    with capture_logs() as again:
        await ensure_streams(url, [SUPPLEMENTS_STREAM, SIGNINS_STREAM])
    assert not [log for log in again if log["event"] in ("stream_updated", "stream_created")]


async def test_our_stream_from_before_the_limits_gets_them_and_keeps_its_messages(
    js: tuple[str, JetStreamContext],
) -> None:
    url, context = js
    # LABELS as the previous version made it: marked, an age limit and nothing else.
    await context.add_stream(
        StreamConfig(
            name=LABELS_STREAM.name,
            subjects=list(LABELS_STREAM.subjects),
            max_age=400 * DAY,
            metadata={MARK: LABELS_STREAM.name},
        )
    )
    await context.publish("impact.v1.labels.pso.granted", b"{}", headers={"Nats-Msg-Id": "a"})
    with capture_logs() as logs:
        await ensure_streams(url, [LABELS_STREAM])
    info = await context.stream_info(LABELS_STREAM.name)
    assert info.config.max_bytes == LABELS_STREAM.max_bytes
    assert info.config.max_msgs == LABELS_STREAM.max_msgs
    assert info.config.max_msg_size == LABELS_STREAM.max_msg_size
    assert info.config.discard == DiscardPolicy.OLD
    assert info.state.messages == 1
    updated = [log for log in logs if log["event"] == "stream_updated"]
    assert [log["changed"] for log in updated] == [["max_bytes", "max_msg_size", "max_msgs"]]


async def test_the_server_refuses_a_message_larger_than_its_stream_allows(
    js: tuple[str, JetStreamContext],
) -> None:
    url, context = js
    await ensure_streams(url, [SIGNINS_STREAM])
    assert SIGNINS_STREAM.max_msg_size is not None
    with pytest.raises(APIError):
        await context.publish(
            "impact.v1.signin.requested", b"x" * (SIGNINS_STREAM.max_msg_size + 1)
        )
    await context.publish("impact.v1.signin.requested", b"x" * 100)
    assert (await context.stream_info(SIGNINS_STREAM.name)).state.messages == 1


async def test_a_full_present_refuses_a_new_enterprise_but_takes_a_newer_event_of_one_it_holds(
    js: tuple[str, JetStreamContext],
) -> None:
    _, context = js
    small = ENTERPRISE_STATES_STREAM.model_copy(update={"max_msgs": 2})
    await context.add_stream(stream_config(small))
    prefix = "impact.v1.states.overijssel.twente"
    await context.publish(f"{prefix}.e1", b"e1 v1")
    await context.publish(f"{prefix}.e2", b"e2 v1")
    await context.publish(f"{prefix}.e1", b"e1 v2")
    with pytest.raises(APIError):
        await context.publish(f"{prefix}.e3", b"e3 v1")
    kept = await context.get_last_msg(small.name, f"{prefix}.e1")
    assert kept.data == b"e1 v2"
    assert (await context.stream_info(small.name)).state.messages == 2
