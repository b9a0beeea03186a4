"""Putting a message a service gave up on into the dead-letter stream, for the operator.

A dead letter keeps the original body and headers (contracts/deadletters.py says which
headers it adds). It is published and acked before the original is terminated, so a message
is never dropped silently: if the dead-letter stream cannot take it, the caller keeps the
original and tries again later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import nats
import structlog
from nats.js import JetStreamContext

from contracts import deadletters as dead
from contracts.base import deterministic_id
from contracts.deadletters import DeadLetterKind
from contracts.subjects import DEADLETTERS_STREAM, dead_letter_subject

log = structlog.get_logger()
_DROPPED_HEADERS = ("Nats-Msg-Id", "Nats-Expected-Stream", "Nats-Expected-Last-Sequence")


@dataclass(frozen=True)
class DeadLetter:
    """A message given up on: where it was, why, and what it held."""

    service: str
    consumer: str
    kind: DeadLetterKind
    reason: str
    subject: str
    body: bytes
    headers: Mapping[str, str]
    stream: str | None = None
    sequence: int | None = None
    deliveries: int | None = None

    @property
    def original_id(self) -> str | None:
        """The original `Nats-Msg-Id`, if any."""
        return self.headers.get("Nats-Msg-Id")

    @property
    def dead_letter_id(self) -> str:
        """Its own `Nats-Msg-Id`: the same message given up on twice is one dead letter."""
        where = self.sequence if self.sequence is not None else self.original_id
        return deterministic_id("dead", self.service, self.consumer, self.stream, where)

    def headers_out(self, now: datetime) -> dict[str, str]:
        """The original headers without its id, plus where it came from and why."""
        out = {k: v for k, v in self.headers.items() if k not in _DROPPED_HEADERS}
        reason = " ".join(self.reason.split())[: dead.MAX_REASON_CHARS]
        out.update(
            {
                "Nats-Msg-Id": self.dead_letter_id,
                dead.KIND: self.kind,
                dead.REASON: reason,
                dead.SERVICE: self.service,
                dead.CONSUMER: self.consumer,
                dead.SUBJECT: self.subject,
                dead.DEAD_AT: now.astimezone(UTC).isoformat(timespec="seconds"),
            }
        )
        optional = {
            dead.STREAM: self.stream,
            dead.SEQUENCE: self.sequence,
            dead.DELIVERIES: self.deliveries,
            dead.ORIGINAL_ID: self.original_id,
        }
        out.update({k: str(v) for k, v in optional.items() if v is not None})
        return out


async def put_dead_letter(
    js: JetStreamContext,
    letter: DeadLetter,
    *,
    now: datetime | None = None,
    timeout: float = 5.0,  # noqa: ASYNC109 - the NATS request's own timeout
) -> None:
    """Publish `letter` to the dead-letter stream and wait for its ack (raises if it could
    not be stored: the caller then keeps the original). Logged at error for the operator."""
    subject = dead_letter_subject(letter.service, letter.consumer)
    headers = letter.headers_out(now or datetime.now(UTC))
    try:
        await js.publish(
            subject,
            letter.body,
            timeout=timeout,
            stream=DEADLETTERS_STREAM.name,
            headers=headers,
        )
    except (nats.errors.Error, TimeoutError) as exc:
        log.warning("dead_letter_not_stored", consumer=letter.consumer, error=repr(exc))
        raise
    log.error(
        "message_dead_lettered",
        kind=letter.kind,
        consumer=letter.consumer,
        subject=letter.subject,
        stream=letter.stream,
        sequence=letter.sequence,
        deliveries=letter.deliveries,
        event_id=letter.original_id,
        reason=headers[dead.REASON],
    )
