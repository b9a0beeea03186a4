"""Poison on a real nats-server: whatever a message does wrong, it ends in the dead-letter
stream after the right number of tries, with why, where from and its original headers, and
the messages behind it are processed meanwhile."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

import nats
import pytest
from nats.js import JetStreamContext
from nats.js.api import RawStreamMsg
from pydantic import Field

from contracts import deadletters as dead
from contracts.base import Event, deterministic_id
from contracts.subjects import DEADLETTERS_STREAM, StreamSpec
from services.kit.batches import BatchConsumer, BatchConsumerSpec, Delivery
from services.kit.deadletter_admin import read_letter, replay_letter
from services.kit.streams import ensure_streams

pytestmark = pytest.mark.integration
MAX_DELIVER = 3


class Note(Event):
    """A test event with the kind of limits the contracts set."""

    n: int
    text: str = Field(default="", max_length=2000, pattern=r"^[^\x00]*$")


def _note(n: int, text: str = "") -> bytes:
    event = Note(
        event_id=deterministic_id("note", n),
        occurred_at=datetime.now(UTC),
        source="test",
        n=n,
        text=text,
    )
    return event.model_dump_json().encode()


def _spec() -> BatchConsumerSpec:
    name = f"P{uuid.uuid4().hex[:8].upper()}"
    stream = StreamSpec(name=name, subjects=(f"test.{name.lower()}.>",))
    return BatchConsumerSpec(
        stream=stream,
        subject=f"test.{name.lower()}.>",
        durable=f"test-{name.lower()}",
        service="test",
        batch_size=10,
        ack_wait_seconds=2.0,
        max_deliver=MAX_DELIVER,
        retry_delay_seconds=0.1,
        idle_wait_seconds=0.5,
    )


async def _publish(nats_url: str, spec: BatchConsumerSpec, bodies: Sequence[bytes]) -> None:
    client = await nats.connect(nats_url)
    try:
        js = client.jetstream()
        for i, body in enumerate(bodies):
            headers = {"Nats-Msg-Id": f"{spec.durable}-m{i}", "X-Trace": f"trace-{i}"}
            await js.publish(f"test.{spec.stream.name.lower()}.note", body, headers=headers)
    finally:
        await client.close()


async def _dead_letters(js: JetStreamContext, spec: BatchConsumerSpec) -> list[RawStreamMsg]:
    """The dead letters of `spec`'s stream, in the order they were put."""
    info = await js.stream_info(DEADLETTERS_STREAM.name)
    found = []
    if not info.state.messages:
        return []
    for seq in range(max(1, info.state.first_seq), info.state.last_seq + 1):
        try:
            msg = await js.get_msg(DEADLETTERS_STREAM.name, seq)
        except nats.js.errors.NotFoundError:
            continue
        if (msg.headers or {}).get(dead.STREAM) == spec.stream.name:
            found.append(msg)
    return found


async def _until(condition: Callable[[], bool], within: float = 30.0) -> None:
    for _ in range(int(within / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def _run(
    nats_url: str,
    bodies: Sequence[bytes],
    fails: Callable[[Note], bool] = lambda note: False,
    expect_dead: int = 1,
    error: Callable[[], Exception] = lambda: RuntimeError("always fails"),
) -> tuple[BatchConsumerSpec, list[tuple[int, int]], list[RawStreamMsg]]:
    """Publish `bodies`, consume until `expect_dead` letters are dead; returns the spec,
    (n, deliveries) of every handling in order, and the dead letters."""
    spec = _spec()
    await ensure_streams(nats_url, [spec.stream, DEADLETTERS_STREAM])
    await _publish(nats_url, spec, bodies)
    handled: list[tuple[int, int]] = []

    async def handle(deliveries: Sequence[Delivery[Note]]) -> list[Exception | None]:
        handled.extend((d.item.n, d.deliveries) for d in deliveries)
        return [error() if fails(d.item) else None for d in deliveries]

    consumer = BatchConsumer(nats_url, spec, Note.model_validate_json, handle)
    client = await nats.connect(nats_url)
    letters: list[RawStreamMsg] = []
    try:
        js = client.jetstream()
        await consumer.start()
        for _ in range(600):
            letters = await _dead_letters(js, spec)
            if len(letters) >= expect_dead:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        info = await js.consumer_info(spec.stream.name, spec.durable)
        letters = await _dead_letters(js, spec)
    finally:
        await consumer.stop()
        await client.close()
    assert (info.num_ack_pending, info.num_pending) == (0, 0), "everything settled"
    return spec, handled, letters


def _headers(letter: RawStreamMsg) -> dict[str, str]:
    return dict(letter.headers or {})


async def test_a_body_that_is_not_json_is_dead_lettered_at_once(nats_url: str) -> None:
    spec, handled, letters = await _run(nats_url, [b"{not json", _note(1), _note(2)])
    assert sorted(handled) == [(1, 1), (2, 1)]
    (letter,) = letters
    headers = _headers(letter)
    assert letter.data == b"{not json"
    assert headers[dead.KIND] == "undecodable"
    assert headers[dead.DELIVERIES] == "1"
    assert headers[dead.CONSUMER] == spec.durable
    assert headers[dead.SERVICE] == "test"
    assert headers[dead.SUBJECT] == f"test.{spec.stream.name.lower()}.note"
    assert headers[dead.SEQUENCE] == "1"
    assert headers[dead.ORIGINAL_ID] == f"{spec.durable}-m0"
    assert headers["X-Trace"] == "trace-0"  # the original headers travel along
    assert headers["Nats-Msg-Id"] != f"{spec.durable}-m0"


async def test_a_payload_failing_its_schema_is_dead_lettered_at_once(nats_url: str) -> None:
    _, handled, letters = await _run(nats_url, [_note(1), b'{"n": "three"}', _note(2)])
    assert sorted(handled) == [(1, 1), (2, 1)]
    (letter,) = letters
    assert _headers(letter)[dead.KIND] == "invalid"
    assert "n" in _headers(letter)[dead.REASON]
    assert _headers(letter)[dead.DELIVERIES] == "1"


@pytest.mark.parametrize("text", ["x" * 500_000, "before\x00after"], ids=["absurdly-large", "nul"])
async def test_a_field_beyond_its_limits_is_dead_lettered_as_invalid(
    nats_url: str, text: str
) -> None:
    body = _note(5, "ok").replace(b'"ok"', f'"{text}"'.replace("\x00", "\\u0000").encode())
    _, handled, letters = await _run(nats_url, [body, _note(6)])
    assert handled == [(6, 1)]
    (letter,) = letters
    assert _headers(letter)[dead.KIND] == "invalid"
    assert letter.data == body
    assert len(_headers(letter)[dead.REASON]) <= dead.MAX_REASON_CHARS


async def test_a_handler_that_always_fails_is_dead_lettered_when_deliveries_run_out(
    nats_url: str,
) -> None:
    bodies = [_note(n) for n in range(6)]
    _, handled, letters = await _run(nats_url, bodies, fails=lambda note: note.n == 2)
    tries = [d for n, d in handled if n == 2]
    assert tries == list(range(1, MAX_DELIVER + 1)), "tried exactly max_deliver times"
    assert sorted(n for n, _ in handled if n != 2) == [0, 1, 3, 4, 5]
    # The messages behind it were handled before it was given up on, not after.
    first_try_of_later = handled.index((5, 1))
    last_try = handled.index((2, MAX_DELIVER))
    assert first_try_of_later < last_try
    (letter,) = letters
    headers = _headers(letter)
    assert headers[dead.KIND] == "exhausted"
    assert headers[dead.DELIVERIES] == str(MAX_DELIVER)
    assert headers[dead.REASON] == "RuntimeError: always fails"
    assert letter.data == bodies[2]


async def test_a_dead_letter_is_stored_once_however_often_it_is_given_up_on(
    nats_url: str,
) -> None:
    spec, _, letters = await _run(nats_url, [b"junk"])
    client = await nats.connect(nats_url)
    try:
        js = client.jetstream()
        # The same message given up on again (a consumer that died before its term):
        # the dead-letter stream's duplicate window keeps one.
        (letter,) = letters
        assert letter.subject is not None and letter.data is not None
        again = await js.publish(
            letter.subject,
            letter.data,
            headers=_headers(letter),
            stream=DEADLETTERS_STREAM.name,
        )
        assert again.duplicate
        assert len(await _dead_letters(js, spec)) == 1
    finally:
        await client.close()


async def test_a_message_whose_handling_never_ends_is_dead_lettered_unhandled(
    nats_url: str,
) -> None:
    """A process that dies holding the message on every delivery (simulated by pulling it
    and never answering) cannot loop for ever: the delivery after the last is a dead letter,
    and the handler never sees it again."""
    spec = _spec()
    await ensure_streams(nats_url, [spec.stream, DEADLETTERS_STREAM])
    await _publish(nats_url, spec, [_note(1)])
    client = await nats.connect(nats_url)
    handled: list[int] = []

    async def handle(deliveries: Sequence[Delivery[Note]]) -> list[Exception | None]:
        handled.extend(d.item.n for d in deliveries)
        return [None] * len(deliveries)

    consumer = BatchConsumer(nats_url, spec, Note.model_validate_json, handle)
    try:
        js = client.jetstream()
        dying = await js.pull_subscribe(
            spec.subject,
            durable=spec.durable,
            stream=spec.stream.name,
            config=spec.consumer_config(),
        )
        for delivery in range(1, MAX_DELIVER + 1):
            (msg,) = await dying.fetch(1, timeout=30)
            assert msg.metadata.num_delivered == delivery  # taken, never answered
        await dying.unsubscribe()
        await consumer.start()
        for _ in range(600):
            if await _dead_letters(js, spec):
                break
            await asyncio.sleep(0.05)
        (letter,) = await _dead_letters(js, spec)
        info = await js.consumer_info(spec.stream.name, spec.durable)
    finally:
        await consumer.stop()
        await client.close()
    assert handled == []
    assert _headers(letter)[dead.KIND] == "exhausted"
    assert _headers(letter)[dead.REASON] == "its handling never finished"
    assert _headers(letter)[dead.DELIVERIES] == str(MAX_DELIVER + 1)
    assert (info.num_ack_pending, info.num_pending) == (0, 0)


async def test_a_dead_letter_replayed_after_the_fix_is_processed_once(nats_url: str) -> None:
    """Replayed with its original id to its stream, the message is handled by the same
    durable like any other, and the dead letter is gone."""
    spec = _spec()
    # A short duplicate window, so the original id may be sent again within the test.
    stream = spec.stream.model_copy(update={"duplicate_window_seconds": 1.0})
    spec = dataclasses.replace(spec, stream=stream)
    await ensure_streams(nats_url, [spec.stream, DEADLETTERS_STREAM])
    await _publish(nats_url, spec, [_note(1), _note(2)])
    fixed = False
    handled: list[tuple[int, int]] = []

    async def handle(deliveries: Sequence[Delivery[Note]]) -> list[Exception | None]:
        handled.extend((d.item.n, d.deliveries) for d in deliveries)
        broken = not fixed
        return [RuntimeError("bug") if broken and d.item.n == 2 else None for d in deliveries]

    consumer = BatchConsumer(nats_url, spec, Note.model_validate_json, handle)
    client = await nats.connect(nats_url)
    try:
        js = client.jetstream()
        await consumer.start()
        await _until_async(lambda: _dead_letters(js, spec), 1)
        fixed = True
        await asyncio.sleep(1.2)  # past the stream's duplicate window
        (letter,) = await _dead_letters(js, spec)
        assert letter.seq is not None
        stored = await read_letter(js, letter.seq)
        outcome = await replay_letter(js, js, stored)
        assert outcome.outcome == "replayed"
        await _until(lambda: (2, 1) in handled[handled.index((2, MAX_DELIVER)) + 1 :])
        await asyncio.sleep(0.5)
        assert await _dead_letters(js, spec) == []
        info = await js.consumer_info(spec.stream.name, spec.durable)
        replayed = await js.get_msg(spec.stream.name, outcome.sequence)
    finally:
        await consumer.stop()
        await client.close()
    assert [n for n, _ in handled].count(1) == 1
    assert handled[-1] == (2, 1)
    assert (replayed.headers or {})["Nats-Msg-Id"] == f"{spec.durable}-m1"
    assert (replayed.headers or {})["X-Trace"] == "trace-1"
    assert (info.num_ack_pending, info.num_pending) == (0, 0)


async def _until_async(
    found: Callable[[], Awaitable[Sequence[object]]], count: int, within: float = 30.0
) -> None:
    for _ in range(int(within / 0.05)):
        if len(await found()) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("not found in time")


async def test_a_value_error_in_the_handler_is_retried_not_taken_for_bad_input(
    nats_url: str,
) -> None:
    """Only reading the message may end it at once: a ValueError raised while handling a
    valid event (a website urllib cannot parse, a bad line in a file) is a failure like any
    other, tried again and dead-lettered only when the deliveries run out."""
    _, handled, letters = await _run(
        nats_url,
        [_note(1), _note(2)],
        fails=lambda note: note.n == 1,
        error=lambda: ValueError("Invalid IPv6 URL"),
    )
    assert [d for n, d in handled if n == 1] == list(range(1, MAX_DELIVER + 1))
    (letter,) = letters
    assert _headers(letter)[dead.KIND] == "exhausted"
    assert _headers(letter)[dead.REASON] == "ValueError: Invalid IPv6 URL"
