"""The step the read model's batch consumers share: a fetched batch recorded in stream order,
one writer at a time, each delivery answered with its own outcome."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy import Engine

from services.gateway.read_model.projection import Position
from services.kit.batches import Delivery, HandleBatch

E = TypeVar("E")
RecordBatch = Callable[[Engine, Sequence[tuple[E, Position]]], Sequence[bool | Exception]]
"""Records a batch in one transaction; per event whether it applied, or its own error."""


def recorded_in_stream_order(
    engine: Engine, writing: asyncio.Lock, stream: str, record: RecordBatch[E]
) -> HandleBatch[E]:
    """A batch handler that sorts the deliveries by stream sequence and records them under
    `writing` (SQLite wants one writer at a time); per delivery its error, else None."""

    async def handle(deliveries: Sequence[Delivery[E]]) -> list[Exception | None]:
        ordered = sorted(deliveries, key=lambda d: d.stream_sequence)
        batch = [(d.item, Position(stream, d.stream_sequence)) for d in ordered]
        async with writing:
            results = await asyncio.to_thread(record, engine, batch)
        recorded = dict(zip(map(id, ordered), results, strict=True))
        return [r if isinstance(r := recorded[id(d)], Exception) else None for d in deliveries]

    return handle
