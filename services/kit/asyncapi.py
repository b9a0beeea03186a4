"""A service's AsyncAPI document, generated from what it runs.

Each composition root hands over the batch consumers it starts, the publications its
publishers are limited to (services/kit/publications.py), and the FastStream broker it
serves requests on, if any. FastStream renders the
document: every consumer becomes a subscriber entry with its durable, filter and limits,
every publication a publisher entry. Nothing here is subscribed or published.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

from faststream.nats import JStream, NatsBroker, PullSub
from faststream.specification import AsyncAPI

from contracts.subjects import DEAD_LETTER_PREFIX, DEADLETTERS_STREAM, health_subject
from services.kit.batches import BatchConsumer
from services.kit.health import ServiceHealth
from services.kit.publications import Publication


def asyncapi_json(
    *,
    service: str,
    title: str,
    version: str,
    description: str,
    consumers: Sequence[BatchConsumer[Any]],
    publications: Sequence[Publication],
    broker: NatsBroker | None = None,
) -> str:
    """The AsyncAPI document of `service`, which starts `consumers`, publishes `publications`
    (and the dead letters of its consumers) and serves the subscribers of `broker`."""
    broker = broker or NatsBroker()
    for consumer in consumers:
        _describe_consumer(broker, consumer)
    dead_letters = Publication(
        subject=f"{DEAD_LETTER_PREFIX}.{service}.*",
        schema=bytes,
        stream=DEADLETTERS_STREAM,
        title=f"{service}/to_dead_letters",
        description="A message given up on, as it came, with headers saying where from and "
        "why (contracts/deadletters.py); for the operator, `impactoost dlq`",
    )
    # A service without consumers gives up on nothing.
    for publication in (*publications, *([dead_letters] if consumers else [])):
        broker.publisher(
            publication.subject,
            stream=JStream(publication.stream.name, declare=False),
            schema=publication.schema,
            title=publication.title,
            description=publication.description,
        )
    _describe_health(broker, service)
    spec = AsyncAPI(broker, title=title, version=version, description=description)
    return spec.to_specification().to_json()


def _describe_health(broker: NatsBroker, service: str) -> None:
    """Every service answers health requests (services/kit/health_requests.py)."""

    async def answers() -> ServiceHealth:  # pragma: no cover - never called
        raise NotImplementedError

    broker.subscriber(
        health_subject(service),
        title=f"{service}/on_health_request",
        description="Core NATS request/reply (not a stream): any body; the answer is this "
        "service's health report (ServiceHealth). The gateway's /healthz and `impactoost "
        "health` ask it.",
    )(answers)


def _describe_consumer(broker: NatsBroker, consumer: BatchConsumer[Any]) -> None:
    spec = consumer.spec
    config = spec.consumer_config()
    limits = (
        f"[durable {spec.durable} on {spec.stream.name}; batches of {spec.batch_size}; "
        f"ack wait {spec.ack_wait_seconds:g} s; max_deliver {spec.max_deliver}, then the "
        f"dead-letter stream]"
    )
    for subject in spec.filters:
        # A subscriber entry per filter subject, made from the running consumer's spec; its
        # handler only carries the payload type for the schema.
        async def takes(event: Any) -> None:  # pragma: no cover - never called
            raise NotImplementedError

        takes.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [
                inspect.Parameter(
                    "event", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=consumer.schema
                )
            ]
        )
        broker.subscriber(
            subject,
            stream=JStream(spec.stream.name, declare=False),
            durable=spec.durable,
            pull_sub=PullSub(batch_size=spec.batch_size),
            config=config,
            title=spec.title or f"{spec.durable}:{spec.stream.name}",
            description=f"{spec.description} {limits}".strip(),
        )(takes)
