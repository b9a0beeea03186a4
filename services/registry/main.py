"""The registry service: label events in, listed enterprises out (through an outbox)."""

from __future__ import annotations

from typing import Any

from faststream import FastStream

from contracts.subjects import ENTERPRISE_STATES_STREAM, STREAMS
from services.kit.asyncapi import asyncapi_json as render_asyncapi
from services.kit.batches import BatchConsumer
from services.kit.health import Extra, HealthCheck, running_durables
from services.kit.health_requests import HealthResponder
from services.kit.logging import configure_logging
from services.kit.nats_users import REGISTRY
from services.kit.settings import load_settings
from services.kit.streams import ensure_streams, stream_messages
from services.registry.bootstrap import Registry, bootstrap
from services.registry.config import RegistrySettings
from services.registry.publications import PUBLICATIONS
from services.registry.subscribers import (
    SERVICE,
    label_consumer,
    sign_in_consumer,
    supplement_consumer,
)

TITLE = "impactoost registry"
VERSION = "1.0.0"


def relay_section(registry: Registry) -> Extra:
    """The registry's own section of its health report: `{"relay": RelayHealth}` (kit)."""

    async def section() -> dict[str, Any]:
        relay = await registry.relay_health()
        return {
            "relay": {
                "backlog": relay.backlog,
                "oldest_unpublished_at": relay.oldest_unpublished_at,
                "given_up": relay.given_up,
            }
        }

    return section


def create_app(
    settings: RegistrySettings | None = None, *, registry: Registry | None = None
) -> FastStream:
    """The registry app; nothing connects until it starts. Tests may pass a `registry`
    bootstrapped with fakes."""
    settings = settings or load_settings(RegistrySettings)
    registry = registry or bootstrap(settings)
    consumers = _consumers(registry)

    async def prepare() -> None:
        await ensure_streams(settings.nats(), STREAMS, settings.stream_replicas, owner=REGISTRY)
        await registry.prepare_database()
        # A deployment from before the compacted view: its listed enterprises' states.
        if not await stream_messages(settings.nats(), ENTERPRISE_STATES_STREAM.name):
            await registry.backfill_states()

    health = HealthResponder(
        HealthCheck(
            REGISTRY.name,
            running_durables(consumers),
            extra=relay_section(registry),
            relay_stale_seconds=settings.health_relay_stale_seconds,
            clock=registry.clock,
        )
    )

    async def start_background() -> None:
        registry.relay.start()
        registry.time_checks.start()
        for consumer in consumers:
            await consumer.start()
        await health.start(registry.broker.connection)

    async def stop_background() -> None:
        await health.stop()
        for consumer in consumers:
            await consumer.stop()
        await registry.time_checks.stop()
        await registry.relay.stop()

    async def release() -> None:
        await registry.aclose()

    return FastStream(
        registry.broker,
        logger=None,
        on_startup=[prepare],
        after_startup=[start_background],
        on_shutdown=[stop_background],
        after_shutdown=[release],
    )


async def serve(settings: RegistrySettings) -> None:
    """Run the registry until SIGINT/SIGTERM; in-flight messages finish before it exits."""
    configure_logging(settings.log_format, settings.log_level)
    await create_app(settings).run()


def _consumers(registry: Registry) -> list[BatchConsumer[Any]]:
    """Every durable consumer the registry starts (and its AsyncAPI document lists)."""
    return [label_consumer(registry), supplement_consumer(registry), sign_in_consumer(registry)]


def asyncapi_json(settings: RegistrySettings | None = None) -> str:
    """The registry's AsyncAPI document, generated without connecting to anything."""
    settings = settings or load_settings(RegistrySettings)
    return render_asyncapi(
        service=SERVICE,
        title=TITLE,
        version=VERSION,
        description="Decides who is listed from the label events, and publishes the "
        "enterprises' events through its outbox.",
        consumers=_consumers(bootstrap(settings)),
        publications=PUBLICATIONS,
    )
