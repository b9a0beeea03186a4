"""The whole registry app against real NATS streams and a real database."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import nats
import pytest
from faststream import TestApp
from nats.js.api import RawStreamMsg

from contracts.enterprises import EnterpriseDelisted, EnterpriseEvent, EnterpriseListed
from contracts.labels import LabelEvent
from contracts.subjects import ENTERPRISES_STREAM, LABELS_STREAM, label_subject
from services.registry.adapters.publisher import ENTERPRISE_EVENT
from services.registry.bootstrap import bootstrap
from services.registry.config import RegistrySettings
from services.registry.handlers import record_label_event
from services.registry.main import create_app
from tests.unit.registry.factories import TODAY, at, changed, granted, lapsed, observation

pytestmark = pytest.mark.integration


def _settings(nats_url: str, database_url: str, tmp_path: Path) -> RegistrySettings:
    return RegistrySettings(
        nats_url=nats_url,
        database_url=database_url,
        data_dir=tmp_path,
        outbox_poll_seconds=0.5,
        source="registry-test",
        pdok_base_url="",
    )


async def _publish_labels(url: str, *events: LabelEvent, msg_id_suffix: str = "") -> None:
    """Publish as the scraper does; a suffix defeats JetStream's dedupe, as a redelivery would."""
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        for event in events:
            await js.publish(
                label_subject("pso", event.kind),
                event.model_dump_json().encode(),
                stream=LABELS_STREAM.name,
                headers={"Nats-Msg-Id": event.event_id + msg_id_suffix},
            )
    finally:
        await nc.close()


@dataclass
class Published:
    """A message read back from the ENTERPRISES stream."""

    subject: str
    msg_id: str
    event: EnterpriseEvent

    @classmethod
    def of(cls, msg: RawStreamMsg) -> Published:
        headers = msg.headers or {}
        return cls(
            str(msg.subject),
            headers["Nats-Msg-Id"],
            ENTERPRISE_EVENT.validate_json(msg.data or b""),
        )


async def _enterprise_messages(url: str, count: int) -> list[Published]:
    """Wait (up to 20 s) until ENTERPRISES holds `count` messages, then a moment for extras."""
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        for _ in range(400):
            if (await js.stream_info(ENTERPRISES_STREAM.name)).state.messages >= count:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        state = (await js.stream_info(ENTERPRISES_STREAM.name)).state
        return [
            Published.of(await js.get_msg(ENTERPRISES_STREAM.name, seq))
            for seq in range(state.first_seq, state.last_seq + 1)
        ]
    finally:
        await nc.close()


async def test_label_granted_comes_out_as_enterprise_listed(
    nats_streams: str,
    database_url: str,
    tmp_path: Path,
) -> None:
    event = granted(observation())
    await _publish_labels(nats_streams, event)
    async with TestApp(create_app(_settings(nats_streams, database_url, tmp_path))):
        [message] = await _enterprise_messages(nats_streams, 1)
    listed = message.event
    assert isinstance(listed, EnterpriseListed)
    assert message.subject == "impact.v1.enterprises.overijssel.twente.listed"
    assert message.msg_id == listed.event_id
    assert listed.source == "registry-test" and listed.enterprise.version == 1
    assert listed.enterprise.name == "Kringloop Twente B.V."
    assert [h.holding_id for h in listed.enterprise.labels] == ["PSO-2024-0153"]


async def test_redelivery_and_restart_publish_each_change_once(
    nats_streams: str,
    database_url: str,
    tmp_path: Path,
) -> None:
    settings = _settings(nats_streams, database_url, tmp_path)
    obs = observation()
    await _publish_labels(nats_streams, granted(obs))
    async with TestApp(create_app(settings)):
        await _enterprise_messages(nats_streams, 1)
    await _publish_labels(nats_streams, granted(obs), lapsed(obs, at(24)), msg_id_suffix="-again")
    async with TestApp(create_app(settings)):
        messages = await _enterprise_messages(nats_streams, 2)
    assert [m.event.kind for m in messages] == ["listed", "delisted"]
    delisted = messages[1].event
    assert isinstance(delisted, EnterpriseDelisted)
    assert (delisted.lapsed_label, delisted.lapsed_on) == ("pso", at(24).date())


async def test_commit_left_unacked_and_unrelayed_by_a_crash_is_published_once(
    nats_streams: str,
    database_url: str,
    tmp_path: Path,
) -> None:
    settings = _settings(nats_streams, database_url, tmp_path)
    event = granted(observation())
    await _publish_labels(nats_streams, event)
    crashed = bootstrap(settings)  # the previous process committed, then was killed
    await crashed.prepare_database()
    record_label_event(event, crashed.uow_factory(), TODAY, source="registry-test")
    crashed.close()
    async with TestApp(create_app(settings)):
        messages = await _enterprise_messages(nats_streams, 1)
    assert [m.event.kind for m in messages] == ["listed"]


async def test_backlog_about_one_holding_is_applied_in_stream_order(
    nats_streams: str,
    database_url: str,
    tmp_path: Path,
) -> None:
    obs = observation()
    history: list[LabelEvent] = [granted(obs), lapsed(obs, at(24)), granted(obs, at(48), episode=2)]
    history += [changed(observation(level=f"trede-{n}"), obs, at(48 + n), 2) for n in (1, 2)]
    await _publish_labels(nats_streams, *history)
    async with TestApp(create_app(_settings(nats_streams, database_url, tmp_path))):
        messages = await _enterprise_messages(nats_streams, 5)
    assert [m.event.kind for m in messages] == [
        "listed",
        "delisted",
        "listed",
        "updated",
        "updated",
    ]
    assert [m.event.enterprise.version for m in messages] == [1, 2, 3, 4, 5]


async def test_a_backlog_is_committed_in_batches_and_a_malformed_message_fails_alone(
    nats_streams: str,
    database_url: str,
    tmp_path: Path,
) -> None:
    events = [
        granted(
            observation(f"PSO-{n:03d}", name=f"Werkbedrijf {n}", kvk=(f"08{n:06d}",), website=None)
        )
        for n in range(60)
    ]
    await _publish_labels(nats_streams, *events[:30])
    nc = await nats.connect(nats_streams)
    await nc.jetstream().publish(
        label_subject("pso", "granted"), b'{"kind": "granted"', stream=LABELS_STREAM.name
    )
    await nc.close()
    await _publish_labels(nats_streams, *events[30:])
    settings = _settings(nats_streams, database_url, tmp_path).model_copy(
        update={"label_batch_size": 25}
    )
    async with TestApp(create_app(settings)):
        messages = await _enterprise_messages(nats_streams, 60)
    assert [m.event.kind for m in messages] == ["listed"] * 60
    listed = sorted(m.event.enterprise.labels[0].holding_id for m in messages)
    assert listed == [f"PSO-{n:03d}" for n in range(60)]
