"""`impactoost dlq` against a real nats-server: the operator lists, shows, replays and drops
dead letters as `admin`, and a replay publishes as the service user of the subject."""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import nats
import pytest
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from contracts import deadletters as dead
from contracts.deadletters import DeadLetterKind
from contracts.subjects import (
    DEADLETTERS_STREAM,
    ENTERPRISES_STREAM,
    dead_letter_subject,
    enterprise_subject,
)
from services.kit.deadletters import DeadLetter, put_dead_letter
from services.kit.nats_credentials import password_file
from services.kit.streams import ensure_streams
from tests.fixtures.servers import NatsUsers
from tests.integration.test_cli import assert_one_line_error, impactoost

pytestmark = pytest.mark.integration


@pytest.fixture
async def js(nats_url: str) -> AsyncIterator[JetStreamContext]:
    await ensure_streams(nats_url, [DEADLETTERS_STREAM, ENTERPRISES_STREAM])
    client = await nats.connect(nats_url)
    yield client.jetstream()
    await client.close()


@pytest.fixture
def secrets(nats_users: NatsUsers, tmp_path: Path) -> Path:
    folder = tmp_path / "secrets"
    folder.mkdir()
    for user, password in nats_users.passwords.items():
        password_file(folder, user).write_text(password + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def place() -> str:
    """A province of this test's own: its subjects are nobody else's."""
    return f"test-{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def subject(js: JetStreamContext, place: str) -> AsyncIterator[str]:
    name = enterprise_subject(place, "twente", "listed")
    yield name
    await js.purge_stream(ENTERPRISES_STREAM.name, subject=name)


def dlq(
    *args: str, nats_users: NatsUsers, secrets: Path, tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    """`impactoost dlq …` with no NATS user in the settings: as `admin` from the folder."""
    return impactoost(
        "dlq",
        *args,
        "--secrets",
        str(secrets),
        tmp_path=tmp_path,
        IMPACTOOST_NATS_URL=nats_users.anonymous_url,
    )


async def put(
    js: JetStreamContext,
    subject: str,
    *,
    consumer: str,
    kind: DeadLetterKind = "exhausted",
    body: bytes | None = None,
    event_id: str | None = None,
    sequence: int = 41,
) -> int:
    """Put a dead letter of `consumer` about an event on `subject`; its DEADLETTERS seq."""
    event_id = event_id or f"evt-{uuid.uuid4().hex}"
    letter = DeadLetter(
        service="notifier",
        consumer=consumer,
        kind=kind,
        reason="RuntimeError: the mail template failed",
        subject=subject,
        body=body if body is not None else json.dumps({"event_id": event_id}).encode(),
        headers={"Nats-Msg-Id": event_id, "X-Trace": "trace-7"},
        stream=ENTERPRISES_STREAM.name,
        sequence=sequence,
        deliveries=5,
    )
    await put_dead_letter(js, letter)
    found = await js.get_msg(
        DEADLETTERS_STREAM.name, subject=dead_letter_subject("notifier", consumer)
    )
    return int(found.seq or 0)


async def is_dead(js: JetStreamContext, sequence: int) -> bool:
    try:
        await js.get_msg(DEADLETTERS_STREAM.name, seq=sequence)
    except NotFoundError:
        return False
    return True


def consumer_name() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"


async def test_list_shows_each_letter_and_filters_without_consuming(
    js: JetStreamContext, subject: str, nats_users: NatsUsers, secrets: Path, tmp_path: Path
) -> None:
    consumer = consumer_name()
    first = await put(js, subject, consumer=consumer, event_id="evt-first")
    second = await put(js, subject, consumer=consumer, kind="invalid", sequence=42)
    consumers_before = (await js.stream_info(DEADLETTERS_STREAM.name)).state.consumer_count

    every = dlq(
        "list", "--consumer", consumer, nats_users=nats_users, secrets=secrets, tmp_path=tmp_path
    )
    invalid = dlq(
        "list", "--consumer", consumer, "--kind", "invalid",
        nats_users=nats_users, secrets=secrets, tmp_path=tmp_path,
    )  # fmt: skip

    assert every.returncode == 0, every.stderr
    lines = every.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [str(first), str(second)]
    assert f"notifier/{consumer}" in lines[0]
    assert "exhausted" in lines[0] and subject in lines[0] and "evt-first" in lines[0]
    assert "RuntimeError: the mail template failed" in lines[0]
    assert [line.split()[0] for line in invalid.stdout.splitlines()] == [str(second)]
    info = await js.stream_info(DEADLETTERS_STREAM.name)
    assert info.state.consumer_count == consumers_before
    assert await is_dead(js, first) and await is_dead(js, second)


async def test_show_prints_every_header_and_the_body_as_indented_json(
    js: JetStreamContext, subject: str, nats_users: NatsUsers, secrets: Path, tmp_path: Path
) -> None:
    sequence = await put(js, subject, consumer=consumer_name(), event_id="evt-shown")

    shown = dlq("show", str(sequence), nats_users=nats_users, secrets=secrets, tmp_path=tmp_path)

    assert shown.returncode == 0, shown.stderr
    assert f"{dead.SUBJECT}: {subject}" in shown.stdout
    assert f"{dead.ORIGINAL_ID}: evt-shown" in shown.stdout
    assert "X-Trace: trace-7" in shown.stdout
    assert '{\n  "event_id": "evt-shown"\n}' in shown.stdout


async def test_show_escapes_hostile_bytes_instead_of_printing_them(
    js: JetStreamContext, subject: str, nats_users: NatsUsers, secrets: Path, tmp_path: Path
) -> None:
    body = b"\x1b[2J\x1b]0;owned\x07 plain \xff\xfe \xe2\x80\xae reversed"
    sequence = await put(js, subject, consumer=consumer_name(), body=body)

    shown = dlq("show", str(sequence), nats_users=nats_users, secrets=secrets, tmp_path=tmp_path)

    assert shown.returncode == 0, shown.stderr
    assert "\x1b" not in shown.stdout and "\x07" not in shown.stdout
    assert "\u202e" not in shown.stdout
    assert "\\x1b[2J" in shown.stdout and "plain" in shown.stdout and "\\xff" in shown.stdout


async def test_replay_puts_the_original_back_with_its_id_and_headers_and_deletes_the_letter(
    js: JetStreamContext, subject: str, nats_users: NatsUsers, secrets: Path, tmp_path: Path
) -> None:
    event_id = f"evt-{uuid.uuid4().hex}"
    sequence = await put(js, subject, consumer=consumer_name(), event_id=event_id)

    replayed = dlq(
        "replay", str(sequence), nats_users=nats_users, secrets=secrets, tmp_path=tmp_path
    )

    assert replayed.returncode == 0, replayed.stderr
    assert "as registry" in replayed.stdout
    back = await js.get_msg(ENTERPRISES_STREAM.name, subject=subject)
    headers = back.headers or {}
    assert headers["Nats-Msg-Id"] == event_id
    assert headers["X-Trace"] == "trace-7"
    assert not [name for name in headers if name.startswith("Impactoost-Dead")]
    assert json.loads(back.data or b"") == {"event_id": event_id}
    assert not await is_dead(js, sequence)


async def test_replay_within_the_duplicate_window_is_reported_and_keeps_the_letter(
    js: JetStreamContext, subject: str, nats_users: NatsUsers, secrets: Path, tmp_path: Path
) -> None:
    event_id = f"evt-{uuid.uuid4().hex}"
    await js.publish(subject, b"{}", headers={"Nats-Msg-Id": event_id})
    sequence = await put(js, subject, consumer=consumer_name(), event_id=event_id)

    replayed = dlq(
        "replay", str(sequence), nats_users=nats_users, secrets=secrets, tmp_path=tmp_path
    )

    assert replayed.returncode == 1
    assert "duplicate window" in replayed.stderr and "kept" in replayed.stderr
    assert await is_dead(js, sequence)
    info = await js.stream_info(ENTERPRISES_STREAM.name, subjects_filter=subject)
    assert info.state.subjects == {subject: 1}


async def test_a_letter_the_outbox_could_not_publish_is_not_replayed(
    js: JetStreamContext, subject: str, nats_users: NatsUsers, secrets: Path, tmp_path: Path
) -> None:
    sequence = await put(
        js, subject, consumer=consumer_name(), kind="unpublishable", body=b"too large: 1.2 MB"
    )

    replayed = dlq(
        "replay", str(sequence), nats_users=nats_users, secrets=secrets, tmp_path=tmp_path
    )

    assert replayed.returncode == 1
    assert "could not publish" in replayed.stderr
    assert await is_dead(js, sequence)


async def test_replay_all_takes_every_letter_the_filters_name(
    js: JetStreamContext, subject: str, nats_users: NatsUsers, secrets: Path, tmp_path: Path
) -> None:
    consumer, other = consumer_name(), consumer_name()
    mine = [await put(js, subject, consumer=consumer, sequence=n) for n in (1, 2)]
    kept = await put(js, subject, consumer=other)

    replayed = dlq(
        "replay", "--all", "--consumer", consumer,
        nats_users=nats_users, secrets=secrets, tmp_path=tmp_path,
    )  # fmt: skip

    assert replayed.returncode == 0, replayed.stderr
    assert "2 of 2 replayed" in replayed.stdout
    assert [await is_dead(js, n) for n in mine] == [False, False]
    assert await is_dead(js, kept)
    info = await js.stream_info(ENTERPRISES_STREAM.name, subjects_filter=subject)
    assert info.state.subjects == {subject: 2}


async def test_drop_prints_what_it_was_and_deletes_it(
    js: JetStreamContext, subject: str, nats_users: NatsUsers, secrets: Path, tmp_path: Path
) -> None:
    sequence = await put(js, subject, consumer=consumer_name(), event_id="evt-dropped")

    dropped = dlq("drop", str(sequence), nats_users=nats_users, secrets=secrets, tmp_path=tmp_path)

    assert dropped.returncode == 0, dropped.stderr
    assert "evt-dropped" in dropped.stdout and f"dropped dead letter {sequence}" in dropped.stdout
    assert not await is_dead(js, sequence)


async def test_an_unknown_letter_or_missing_password_is_a_one_line_error(
    js: JetStreamContext, subject: str, nats_users: NatsUsers, secrets: Path, tmp_path: Path
) -> None:
    sequence = await put(js, subject, consumer=consumer_name())
    password_file(secrets, "registry").unlink()

    unknown = dlq("show", "999999999", nats_users=nats_users, secrets=secrets, tmp_path=tmp_path)
    no_password = dlq(
        "replay", str(sequence), nats_users=nats_users, secrets=secrets, tmp_path=tmp_path
    )

    assert unknown.returncode == 2 and "no dead letter 999999999" in unknown.stderr
    assert no_password.returncode == 2 and "'registry'" in no_password.stderr
    assert "Traceback" not in unknown.stderr + no_password.stderr
    assert await is_dead(js, sequence)


def test_an_unreachable_nats_is_one_line_without_tracebacks(tmp_path: Path) -> None:
    result = impactoost("dlq", "list", "--secrets", str(tmp_path), tmp_path=tmp_path)

    assert_one_line_error(result, 1, "cannot reach NATS")
    assert len(result.stderr.strip().splitlines()) == 1
