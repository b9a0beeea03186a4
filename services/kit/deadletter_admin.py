"""The operator's side of the dead-letter stream: read, replay and drop dead letters.

Reading uses the stream's message-get API, one letter after another by sequence: no
consumer is made, so nothing is acknowledged and no durable's position moves. Replaying
publishes the original body and headers to the original subject with the original id as
`Nats-Msg-Id`, as the service user that publishes that subject (the operator's `admin` may
not publish events), and deletes the letter only after the stream acknowledged it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Literal

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from contracts import deadletters as dead
from contracts.subjects import DEAD_LETTER_PREFIX, DEADLETTERS_STREAM
from services.kit.deadletter_view import LetterSummary
from services.kit.nats_users import SERVICE_USERS, ServiceUser
from services.kit.publications import subject_matches

STREAM = DEADLETTERS_STREAM.name
MSG_ID = "Nats-Msg-Id"


class LetterNotFound(Exception):
    """No dead letter with that sequence (never there, replayed, dropped or expired)."""


class NotReplayable(Exception):
    """The letter cannot go back where it came from; the message says why."""


@dataclass(frozen=True)
class StoredLetter:
    """A dead letter as the stream holds it."""

    sequence: int
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str:
        """A header's value, or "" when absent."""
        return self.headers.get(name, "")

    @property
    def original_id(self) -> str:
        """The original `Nats-Msg-Id`, or "" when it had none."""
        return self.header(dead.ORIGINAL_ID)

    def summary(self) -> LetterSummary:
        """What `dlq list` shows of it."""
        return LetterSummary(
            sequence=self.sequence,
            dead_at=self.header(dead.DEAD_AT),
            service=self.header(dead.SERVICE),
            consumer=self.header(dead.CONSUMER),
            kind=self.header(dead.KIND),
            subject=self.header(dead.SUBJECT),
            event_id=self.original_id,
            reason=self.header(dead.REASON),
        )

    def original_headers(self) -> dict[str, str]:
        """The headers it had before it died: ours removed, its own id back."""
        own = {*dead.OWN_HEADERS, MSG_ID}
        out = {k: v for k, v in self.headers.items() if k not in own}
        if self.original_id:
            out[MSG_ID] = self.original_id
        return out


@dataclass(frozen=True)
class LetterFilter:
    """Which letters an operator means: by service, consumer and kind (None: any)."""

    service: str | None = None
    consumer: str | None = None
    kind: str | None = None

    @property
    def subject(self) -> str:
        """The dead-letter subjects these letters are on."""
        if self.service is None and self.consumer is None:
            return f"{DEAD_LETTER_PREFIX}.>"
        return f"{DEAD_LETTER_PREFIX}.{self.service or '*'}.{self.consumer or '*'}"

    def matches(self, letter: StoredLetter) -> bool:
        """Whether the letter's headers agree (the subject already narrowed the rest)."""
        return self.kind is None or letter.header(dead.KIND) == self.kind


async def read_letters(
    js: JetStreamContext, which: LetterFilter = LetterFilter()
) -> AsyncIterator[StoredLetter]:
    """Every dead letter `which` means, oldest first; none while the stream is missing."""
    if not await _stream_exists(js):
        return
    sequence = 1
    while True:
        try:
            raw = await js.get_msg(STREAM, seq=sequence, subject=which.subject, next=True)
        except NotFoundError:
            return
        letter = _letter(raw.seq or sequence, raw.headers, raw.data)
        if which.matches(letter):
            yield letter
        sequence = letter.sequence + 1


async def read_letter(js: JetStreamContext, sequence: int) -> StoredLetter:
    """The dead letter at `sequence` (raises LetterNotFound)."""
    try:
        raw = await js.get_msg(STREAM, seq=sequence)
    except NotFoundError:
        raise LetterNotFound(f"no dead letter {sequence} in {STREAM}") from None
    return _letter(sequence, raw.headers, raw.data)


async def drop_letter(js: JetStreamContext, sequence: int) -> None:
    """Delete the dead letter at `sequence` (raises LetterNotFound)."""
    try:
        await js.delete_msg(STREAM, sequence)
    except NotFoundError:
        raise LetterNotFound(f"no dead letter {sequence} in {STREAM}") from None


Replayed = Literal["replayed", "duplicate"]


@dataclass(frozen=True)
class ReplayOutcome:
    """What became of a replay: `replayed` (stored at `stream`/`sequence`, the letter
    deleted) or `duplicate` (the stream still knows its id: nothing stored, letter kept)."""

    outcome: Replayed
    stream: str
    sequence: int


async def replay_letter(
    admin: JetStreamContext,
    publisher: JetStreamContext,
    letter: StoredLetter,
    timeout: float = 5.0,  # noqa: ASYNC109 - the publish request's own timeout
) -> ReplayOutcome:
    """Publish `letter` back with `publisher` (as `publisher_of` its subject) and, once
    stored, delete it with `admin`. A duplicate (the original stream's duplicate window
    still holds the id) is reported and the letter kept."""
    subject = replay_subject(letter)
    stream = letter.header(dead.STREAM) or None
    ack = await publisher.publish(
        subject, letter.body, timeout=timeout, stream=stream, headers=letter.original_headers()
    )
    if ack.duplicate:
        return ReplayOutcome("duplicate", ack.stream, ack.seq)
    await drop_letter(admin, letter.sequence)
    return ReplayOutcome("replayed", ack.stream, ack.seq)


def replay_subject(letter: StoredLetter) -> str:
    """Where the letter goes back to (raises NotReplayable)."""
    kind = letter.header(dead.KIND)
    if kind == "unpublishable":
        raise NotReplayable(
            f"dead letter {letter.sequence} is an event the outbox could not publish; its "
            "body describes it and is not the event: fix the cause, then drop it"
        )
    subject = letter.header(dead.SUBJECT)
    if not subject:
        raise NotReplayable(f"dead letter {letter.sequence} names no original subject")
    return subject


def publisher_of(subject: str, users: Iterable[ServiceUser] = SERVICE_USERS) -> ServiceUser:
    """The service user allowed to publish `subject` (raises NotReplayable)."""
    for user in users:
        if any(subject_matches(pattern, subject) for pattern in user.publishes):
            return user
    raise NotReplayable(f"no service user publishes {subject!r}")


async def _stream_exists(js: JetStreamContext) -> bool:
    try:
        await js.stream_info(STREAM)
    except NotFoundError:
        return False
    return True


def _letter(sequence: int, headers: dict[str, str] | None, data: bytes | None) -> StoredLetter:
    return StoredLetter(sequence=sequence, headers=dict(headers or {}), body=data or b"")
