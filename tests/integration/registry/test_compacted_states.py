"""A new subscriber starts from the present: ENTERPRISE_STATES keeps each enterprise's latest
event under its own subject, through the real registry app, a real nats-server, the bundled
place data and SQLite or PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nats
import pytest
from faststream import TestApp
from nats.aio.client import Client
from nats.js import api
from nats.js.client import JetStreamContext

from contracts.enterprises import EnterpriseDelisted, EnterpriseEvent
from contracts.labels import LabelEvent
from contracts.subjects import ENTERPRISE_STATES_STREAM
from services.registry.adapters.publisher import ENTERPRISE_EVENT
from services.registry.config import RegistrySettings
from services.registry.main import create_app
from tests.integration.registry.test_registry_app import _publish_labels
from tests.unit.registry.factories import at, changed, granted, lapsed, observation

pytestmark = pytest.mark.integration

STATES = "impact.v1.states"
# Four enterprises, one label each and nothing in common: a grant and a change (Hengelo), a
# lapse and a regrant (Enschede), a move from Hengelo to Arnhem, a grant in Arnhem.
CHANGING = observation(
    "PSO-1", name="Fietsherstel Hengelo", place="Hengelo", kvk=("06000001",), website=None
)
LAPSING = observation(
    "PSO-2", name="Kringloop Enschede", place="Enschede", kvk=("06000002",), website=None
)
MOVING = observation(
    "PSO-3", name="Verhuisd Werkbedrijf", place="Hengelo", kvk=("06000003",), website=None
)
STAYING = observation("PSO-4", name="Groen Arnhem", place="Arnhem", kvk=("06000004",), website=None)
HISTORY: list[LabelEvent] = [
    granted(CHANGING),
    changed(CHANGING.model_copy(update={"level": "trede-2"}), CHANGING, at(1)),
    granted(LAPSING),
    lapsed(LAPSING, at(24)),
    granted(LAPSING, at(48), episode=2),
    granted(MOVING),
    changed(MOVING.model_copy(update={"place": "Arnhem"}), MOVING, at(2)),
    granted(STAYING),
]
STATE_MESSAGES = 2 + 3 + 3 + 1  # one per event that tells a state: the move tells two


async def _until_states_published(nc: Client, count: int) -> None:
    """Wait (up to 20 s) until ENTERPRISE_STATES was written `count` times."""
    js = nc.jetstream()
    for _ in range(400):
        if (await js.stream_info(ENTERPRISE_STATES_STREAM.name)).state.last_seq >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"ENTERPRISE_STATES was not written {count} times")


async def _present(nc: Client, subjects: str) -> list[tuple[str, EnterpriseEvent]]:
    """What a new subscriber on `subjects` receives from the start: every message it keeps."""
    subscription = await nc.jetstream().subscribe(
        subjects, ordered_consumer=True, deliver_policy=api.DeliverPolicy.ALL
    )
    try:
        return await _receive(subscription, timeout=1.0)
    finally:
        await subscription.unsubscribe()


async def _receive(
    subscription: JetStreamContext.PushSubscription, timeout: float
) -> list[tuple[str, EnterpriseEvent]]:
    """Messages until none arrives for `timeout` seconds."""
    received = []
    while True:
        try:
            msg = await subscription.next_msg(timeout=timeout)
        except TimeoutError:  # nats-py raises its own or the built-in one
            return received
        received.append((msg.subject, ENTERPRISE_EVENT.validate_json(msg.data)))


def _settings(nats_url: str, database_url: str, tmp_path: Path) -> RegistrySettings:
    return RegistrySettings(
        nats_url=nats_url,
        database_url=database_url,
        data_dir=tmp_path,
        outbox_poll_seconds=0.5,
        pdok_base_url="",
    )


def _latest(received: list[tuple[str, EnterpriseEvent]]) -> dict[str, tuple[str, str, int]]:
    """holding id -> (subject below `impact.v1.states.`, kind, version)."""
    return {
        event.enterprise.labels[0].holding_id: (
            subject.removeprefix(f"{STATES}.").rsplit(".", 1)[0],
            event.kind,
            event.enterprise.version,
        )
        for subject, event in received
    }


async def test_a_new_subscriber_starts_from_each_enterprises_latest_state(
    nats_streams: str, database_url: str, tmp_path: Path
) -> None:
    await _publish_labels(nats_streams, *HISTORY)
    nc = await nats.connect(nats_streams)
    try:
        async with TestApp(create_app(_settings(nats_streams, database_url, tmp_path))):
            await _until_states_published(nc, STATE_MESSAGES)
            overijssel = await _present(nc, f"{STATES}.overijssel.>")
            gelderland = await _present(nc, f"{STATES}.gelderland.>")
    finally:
        await nc.close()

    assert len(overijssel) == 3 and len(gelderland) == 2  # one message per enterprise
    assert _latest(overijssel) == {
        "PSO-1": ("overijssel.twente", "updated", 2),
        "PSO-2": ("overijssel.twente", "listed", 3),
        "PSO-3": ("overijssel.twente", "delisted", 2),
    }
    assert _latest(gelderland) == {
        "PSO-3": ("gelderland.midden-gelderland", "listed", 3),
        "PSO-4": ("gelderland.midden-gelderland", "listed", 1),
    }
    left = next(e for _, e in overijssel if e.enterprise.labels[0].holding_id == "PSO-3")
    assert isinstance(left, EnterpriseDelisted) and left.reason == "moved"
    assert (left.enterprise.place, left.enterprise.listed) == ("Hengelo", False)
    for subject, event in overijssel + gelderland:
        assert subject.endswith(f".{event.enterprise.enterprise_id}")


async def test_a_subscriber_that_started_from_the_present_keeps_receiving_new_states(
    nats_streams: str, database_url: str, tmp_path: Path
) -> None:
    await _publish_labels(nats_streams, granted(STAYING), granted(LAPSING))
    nc = await nats.connect(nats_streams)
    try:
        async with TestApp(create_app(_settings(nats_streams, database_url, tmp_path))):
            await _until_states_published(nc, 2)
            subscription = await nc.jetstream().subscribe(
                f"{STATES}.>", ordered_consumer=True, deliver_policy=api.DeliverPolicy.ALL
            )
            present = await _receive(subscription, timeout=1.0)
            await _publish_labels(nats_streams, lapsed(LAPSING, at(24)))
            news = await _receive(subscription, timeout=3.0)
            await subscription.unsubscribe()
    finally:
        await nc.close()

    assert sorted(_latest(present).items()) == [
        ("PSO-2", ("overijssel.twente", "listed", 1)),
        ("PSO-4", ("gelderland.midden-gelderland", "listed", 1)),
    ]
    assert _latest(news) == {"PSO-2": ("overijssel.twente", "delisted", 2)}
    assert len(news) == 1


def _recorded_before_the_compacted_view(database_url: str, events: list[LabelEvent]) -> None:
    """A registry database as an older release left it: the enterprises' events recorded and
    relayed to ENTERPRISES, nothing ever written to ENTERPRISE_STATES."""
    from services.registry.adapters.database import make_engine, prepare_database
    from services.registry.adapters.unit_of_work import SqlUnitOfWork
    from services.registry.handlers import record_label_event
    from tests.unit.registry.factories import TODAY

    engine = make_engine(database_url)
    try:
        prepare_database(engine)
        for event in events:
            record_label_event(event, SqlUnitOfWork(engine), TODAY, source="older-release")
        with SqlUnitOfWork(engine) as uow:
            uow.outbox.mark_published([m.id for m in uow.outbox.pending(1000)], at(99))
            uow.commit()
    finally:
        engine.dispose()


async def test_an_upgraded_registry_fills_the_empty_view_with_every_listed_enterprise(
    nats_streams: str, database_url: str, tmp_path: Path
) -> None:
    _recorded_before_the_compacted_view(
        database_url,
        [granted(STAYING), granted(CHANGING), granted(LAPSING), lapsed(LAPSING, at(5))],
    )
    nc = await nats.connect(nats_streams)
    try:
        async with TestApp(create_app(_settings(nats_streams, database_url, tmp_path))):
            await _until_states_published(nc, 2)
            present = await _present(nc, f"{STATES}.>")
        async with TestApp(create_app(_settings(nats_streams, database_url, tmp_path))):
            await asyncio.sleep(1.5)  # a restart finds the view filled: nothing again
            again = (await nc.jetstream().stream_info(ENTERPRISE_STATES_STREAM.name)).state
    finally:
        await nc.close()

    # Recorded without resolving places (as handlers do when given none): under `onbekend`.
    assert sorted(_latest(present).items()) == [
        ("PSO-1", ("onbekend.onbekend", "listed", 1)),
        ("PSO-4", ("onbekend.onbekend", "listed", 1)),
    ]
    assert again.last_seq == 2
