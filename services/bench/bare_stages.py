"""The bare pipeline's two hops, each run as its own process like a service:
`python -m services.bench.bare_stages registry|gateway NATS_URL USER PASSWORD_FILE DATABASE_URL`.

Stage 1 (registry-like) pulls label events in batches, records each event and an outbox row
in one transaction, publishes each outbox message awaiting its ack, then acks the batch.
Stage 2 (gateway-like) pulls those, upserts a row per event in one transaction, and acks.
Plain nats-py and the plain database driver, no decoding of the events: an event's id is
its `Nats-Msg-Id`, as the services publish it.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from nats.aio.msg import Msg
from nats.js import JetStreamContext, api

from contracts.subjects import StreamSpec
from services.bench.bare_nats import (
    LABELS,
    STAGE_ONE_DURABLE,
    STAGE_TWO_DURABLE,
    THING_SUBJECT,
    THINGS,
)
from services.bench.bare_store import BareStore, Database, Role
from services.kit.nats_access import NatsAccess, connect

# As the services' batch consumers: the registry's label batch and the gateway's feed batch
# (100 each by default), the kit's default ack wait, room for four batches awaiting acks.
BATCH_SIZE = 100
ACK_WAIT_SECONDS = 30.0
IDLE_WAIT_SECONDS = 5.0
PUBLISH_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class Hop:
    """Where a stage reads from and under which durable."""

    stream: StreamSpec
    durable: str


HOPS: dict[Role, Hop] = {
    "registry": Hop(LABELS, STAGE_ONE_DURABLE),
    "gateway": Hop(THINGS, STAGE_TWO_DURABLE),
}


def consumer_config(hop: Hop) -> api.ConsumerConfig:
    """The durable as the kit's batch consumers configure theirs."""
    return api.ConsumerConfig(
        durable_name=hop.durable,
        filter_subject=hop.stream.subjects[0],
        ack_policy=api.AckPolicy.EXPLICIT,
        ack_wait=ACK_WAIT_SECONDS,
        max_ack_pending=max(BATCH_SIZE * 4, 64),
    )


def identified(msgs: Sequence[Msg]) -> tuple[list[Msg], list[Msg]]:
    """The messages that carry a `Nats-Msg-Id`, and those that do not (not ours: refused)."""
    good = [m for m in msgs if (m.headers or {}).get("Nats-Msg-Id")]
    return good, [m for m in msgs if m not in good]


async def record_labels(js: JetStreamContext, store: BareStore, msgs: Sequence[Msg]) -> None:
    """Stage 1's batch: commit events and outbox rows, publish each (acked), then ack."""
    events = [(_msg_id(m), m.data) for m in msgs]
    store.record_labels(events, THING_SUBJECT)
    # Every publish of the batch in flight at once, each ack awaited: sent in order on one
    # connection, so the stream stores them in order, without a round trip per event.
    await asyncio.gather(*(_publish(js, event_id, payload) for event_id, payload in events))
    for msg in msgs:
        await msg.ack()


async def upsert_things(_js: JetStreamContext, store: BareStore, msgs: Sequence[Msg]) -> None:
    """Stage 2's batch: commit a row per event, then ack."""
    store.upsert_things([(_msg_id(m), m.data, m.metadata.sequence.stream) for m in msgs])
    for msg in msgs:
        await msg.ack()


STEPS = {"registry": record_labels, "gateway": upsert_things}


async def run_stage(role: Role, access: NatsAccess, database: Database) -> None:
    """Consume for ever (until the process is stopped)."""
    hop, step = HOPS[role], STEPS[role]
    store = BareStore(database, role)
    store.create_tables()
    client = await connect(access, connect_timeout=5, allow_reconnect=False)
    try:
        js = client.jetstream()
        await js.add_consumer(hop.stream.name, consumer_config(hop))
        subscription = await js.pull_subscribe_bind(hop.durable, hop.stream.name)
        while True:
            try:
                msgs = await subscription.fetch(BATCH_SIZE, timeout=IDLE_WAIT_SECONDS)
            except TimeoutError:
                # nats-py raises its own TimeoutError when no message came, and asyncio's
                # (the built-in one) when its wait for the pull's answer ran out first.
                continue
            good, foreign = identified(msgs)
            for msg in foreign:
                print(f"refused a message without Nats-Msg-Id on {msg.subject}", file=sys.stderr)
                await msg.term()
            if good:
                await step(js, store, good)
    finally:
        await client.close()
        store.close()


async def _publish(js: JetStreamContext, event_id: str, payload: bytes) -> None:
    headers = {"Nats-Msg-Id": event_id}
    await js.publish(THING_SUBJECT, payload, timeout=PUBLISH_TIMEOUT_SECONDS, headers=headers)


def _msg_id(msg: Msg) -> str:
    return (msg.headers or {})["Nats-Msg-Id"]


def main(argv: Sequence[str]) -> None:
    """Entry point: positional arguments as in the module's docstring."""
    if len(argv) != 5 or argv[0] not in HOPS:
        raise SystemExit(__doc__)
    role, url, user, password_file, database_url = argv
    password = Path(password_file).read_text(encoding="utf-8").strip()
    access = NatsAccess(url=url, user=user, password=password)
    asyncio.run(run_stage(cast(Role, role), access, Database.of(database_url)))


if __name__ == "__main__":
    main(sys.argv[1:])
