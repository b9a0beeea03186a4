"""The notifier application: build it (`create_app`), run it (`serve`), describe it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import structlog
from faststream import FastStream

from contracts.subjects import STREAMS
from services.kit.asyncapi import asyncapi_json as render_asyncapi
from services.kit.batches import BatchConsumer
from services.kit.health import HealthCheck, running_durables
from services.kit.health_requests import HealthResponder
from services.kit.logging import configure_logging
from services.kit.nats_users import NOTIFIER
from services.kit.settings import load_settings
from services.kit.streams import ensure_streams
from services.notifier.alerts import alert_consumer
from services.notifier.bootstrap import Notifier, bootstrap
from services.notifier.config import NotifierSettings
from services.notifier.operator_watch import dead_letter_consumer, operator_digester
from services.notifier.pruner import processed_pruner
from services.notifier.publisher import PUBLICATIONS
from services.notifier.schema import migrate
from services.notifier.sender import MailSender
from services.notifier.subscribers import (
    SERVICE,
    editor_signin_consumer,
    enterprise_consumer,
    preference_consumer,
    signin_consumer,
)

log = structlog.get_logger()
VERSION = "0.1.0"


def create_app(
    settings: NotifierSettings | None = None, *, notifier: Notifier | None = None
) -> FastStream:
    """The notifier app; connects to nothing until started. Tests may pass a bootstrapped
    `notifier` with fake adapters."""
    settings = settings or load_settings(NotifierSettings)
    notifier = notifier or bootstrap(settings)
    sender = MailSender(notifier)
    pruner = processed_pruner(notifier, settings)
    broker = notifier.broker
    digester = operator_digester(notifier, settings)
    consumers = _consumers(notifier, settings, sender.wake, digester.wake if digester else None)

    health = HealthResponder(HealthCheck(NOTIFIER.name, running_durables(consumers)))

    async def prepare() -> None:
        await ensure_streams(settings.nats(), STREAMS, settings.stream_replicas, owner=NOTIFIER)
        await asyncio.to_thread(migrate, notifier.deliveries.engine)

    async def started() -> None:
        # After the broker connected: a granted sign-in publishes its link's hash through it.
        for consumer in consumers:
            await consumer.start()
        await sender.start()
        if digester is not None:
            await digester.start()
        await health.start(broker.connection)
        await pruner.start()
        log.info(
            "notifier_started",
            smtp_host=settings.smtp_host,
            smtp_port=settings.smtp_port,
            contacts_file=str(settings.notifier_contacts_file or ""),
            quiet_seconds=settings.mail_quiet_seconds,
        )

    async def stop_consuming() -> None:
        await health.stop()
        for consumer in consumers:
            await consumer.stop()
        await sender.stop()
        if digester is not None:
            await digester.stop()
        await pruner.stop()

    async def release() -> None:
        await asyncio.to_thread(notifier.deliveries.dispose)
        log.info("notifier_stopped")

    return FastStream(
        broker,
        logger=None,
        on_startup=[prepare],
        after_startup=[started],
        on_shutdown=[stop_consuming],
        after_shutdown=[release],
    )


async def serve(settings: NotifierSettings) -> None:
    """Run until SIGINT/SIGTERM; in-flight mails finish or go back to the stream."""
    configure_logging(settings.log_format, settings.log_level)
    await create_app(settings).run()


def _consumers(
    notifier: Notifier,
    settings: NotifierSettings,
    due_now: Callable[[], None] = lambda: None,
    letters_recorded: Callable[[], None] | None = None,
) -> list[BatchConsumer[Any]]:
    """Every durable consumer the notifier starts (and its AsyncAPI document lists)."""
    return [
        enterprise_consumer(notifier, settings, due_now),
        signin_consumer(notifier, settings),
        editor_signin_consumer(notifier, settings),
        preference_consumer(notifier, settings),
        alert_consumer(notifier, settings),
        dead_letter_consumer(notifier, settings, letters_recorded or (lambda: None)),
    ]


def asyncapi_json(settings: NotifierSettings | None = None) -> str:
    """The notifier's AsyncAPI document, generated without connecting."""
    settings = settings or load_settings(NotifierSettings)
    return render_asyncapi(
        service=SERVICE,
        title="impactoost notifier",
        version=VERSION,
        description="Mails enterprises (in Dutch) when their listing changes, and the "
        "sign-in links that let them complete it.",
        consumers=_consumers(bootstrap(settings), settings),
        publications=PUBLICATIONS,
    )
