"""Events that each stand alone are handled one by one, in stream order, each failing alone."""

from __future__ import annotations

import pytest

from services.kit.batches import Delivery, one_at_a_time

pytestmark = pytest.mark.unit


def _delivery(item: str, seq: int) -> Delivery[str]:
    return Delivery(item, stream_sequence=seq, deliveries=1, subject="s", msg_id=item)


async def test_each_is_handled_in_stream_order_and_fails_on_its_own() -> None:
    seen: list[str] = []

    async def handle(item: str) -> None:
        seen.append(item)
        if item == "bad":
            raise RuntimeError("no")

    batch = [_delivery("c", 3), _delivery("bad", 2), _delivery("a", 1)]
    results = await one_at_a_time(handle)(batch)
    assert seen == ["a", "bad", "c"]
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], RuntimeError)
