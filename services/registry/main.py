"""The registry service: label events in, listed enterprises out (through an outbox)."""

from __future__ import annotations

from faststream import FastStream
from faststream.specification import AsyncAPI

from contracts.subjects import ENTERPRISE_STATES_STREAM, STREAMS
from services.kit.logging import configure_logging
from services.kit.nats_users import REGISTRY
from services.kit.settings import load_settings
from services.kit.streams import ensure_streams, stream_messages
from services.registry.bootstrap import Registry, bootstrap
from services.registry.config import RegistrySettings
from services.registry.subscribers import (
    build_router,
    label_consumer,
    sign_in_consumer,
    supplement_consumer,
)

TITLE = "impactoost registry"
VERSION = "1.0.0"


def create_app(
    settings: RegistrySettings | None = None, *, registry: Registry | None = None
) -> FastStream:
    """The registry app; nothing connects until it starts. Tests may pass a `registry`
    bootstrapped with fakes."""
    settings = settings or load_settings(RegistrySettings)
    registry = registry or bootstrap(settings)
    registry.broker.include_router(build_router(registry))
    consumers = (
        label_consumer(registry),
        supplement_consumer(registry),
        sign_in_consumer(registry),
    )

    async def prepare() -> None:
        await ensure_streams(settings.nats(), STREAMS, settings.stream_replicas, owner=REGISTRY)
        await registry.prepare_database()
        # A deployment from before the compacted view: its listed enterprises' states.
        if not await stream_messages(settings.nats(), ENTERPRISE_STATES_STREAM.name):
            await registry.backfill_states()

    async def start_background() -> None:
        registry.relay.start()
        registry.time_checks.start()
        for consumer in consumers:
            await consumer.start()

    async def stop_background() -> None:
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
        specification=AsyncAPI(title=TITLE, version=VERSION),
    )


async def serve(settings: RegistrySettings) -> None:
    """Run the registry until SIGINT/SIGTERM; in-flight messages finish before it exits."""
    configure_logging(settings.log_format, settings.log_level)
    await create_app(settings).run()


def asyncapi_json(settings: RegistrySettings | None = None) -> str:
    """The registry's AsyncAPI document, generated without connecting to anything."""
    settings = settings or load_settings(RegistrySettings)
    registry = bootstrap(settings)
    registry.broker.include_router(build_router(registry, for_documents=True))
    return AsyncAPI(registry.broker, title=TITLE, version=VERSION).to_specification().to_json()
