"""The bare pipeline really carries events: through both hops and both commits on SQLite,
on its own authenticated nats-server, to its endpoint (no timing is asserted)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from nats.errors import Error as NatsError

from services.bench.bare_nats import STAGE_TWO, THING_SUBJECT, bare_nats, label_subject
from services.bench.bare_pipeline import bare_pipeline
from services.bench.bare_store import BareStore, Database
from services.bench.jetstream import publish_all, wait_for_acks
from services.bench.synthetic import label_granted
from services.kit.nats_access import connect

pytestmark = pytest.mark.integration

EVENTS = 120


async def test_every_event_crosses_both_hops_and_is_served_by_the_endpoint(
    tmp_path: Path,
) -> None:
    events = [label_granted("it", i) for i in range(EVENTS)]
    write, read = f"sqlite:///{tmp_path / 'bare.db'}", f"sqlite:///{tmp_path / 'read.db'}"

    async with bare_pipeline(tmp_path, write, read) as bare:
        last = await publish_all(bare.js, bare.messages(events))
        await wait_for_acks(bare.js, bare.stream, bare.durable, last, 60)
        await publish_all(bare.js, bare.messages(events[:10]))  # the same ids again
        async with httpx.AsyncClient(base_url=bare.endpoint_url) as http:
            answers = [await _served(http, bare.path(event)) for event in events]
            missing = await http.get("/things/never-published")
        counts = bare.committed(EVENTS)
        projected = _counts(read)
        things = await bare.js.stream_info("BARE_THINGS")

    assert [a.json()["event_id"] for a in answers] == [e.event_id for e in events]
    assert missing.status_code == 404
    assert counts["bare_label_event"] == counts["bare_outbox"] == EVENTS
    assert projected["bare_thing"] == EVENTS
    assert things.state.messages == EVENTS


async def test_a_stage_user_may_not_publish_label_events(tmp_path: Path) -> None:
    async with bare_nats(tmp_path) as server:
        client = await connect(server.access(STAGE_TWO), allow_reconnect=False)
        try:
            with pytest.raises((NatsError, TimeoutError)):
                await client.jetstream().publish(label_subject("pso"), b"{}", timeout=2)
            with pytest.raises((NatsError, TimeoutError)):
                await client.jetstream().publish(THING_SUBJECT, b"{}", timeout=2)
        finally:
            await client.close()


def _counts(database_url: str) -> dict[str, int]:
    store = BareStore(Database.of(database_url), "gateway")
    try:
        return store.counts()
    finally:
        store.close()


async def _served(http: httpx.AsyncClient, path: str) -> httpx.Response:
    """The endpoint's answer once stage 2 has committed the row (polled, not timed)."""
    for _ in range(400):
        response = await http.get(path)
        if response.status_code == 200:
            return response
        await asyncio.sleep(0.05)
    raise AssertionError(f"{path} was never served")
