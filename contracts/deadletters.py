"""What a dead letter carries besides the original body: its headers.

A dead letter keeps the original message's body and headers as they were, except
`Nats-Msg-Id`, which moves to `ORIGINAL_ID` (the dead-letter stream deduplicates on its own
id, and a replay sends the original id again). The headers below say where it came from and
why it was given up on.
"""

from __future__ import annotations

from typing import Literal

DeadLetterKind = Literal["undecodable", "invalid", "exhausted", "unpublishable"]
"""undecodable: not JSON; invalid: fails its schema; exhausted: its handler failed on every
delivery up to max_deliver; unpublishable: the registry's outbox could not publish it (its
body is then a description, not the event)."""

KIND = "Impactoost-Dead-Kind"
REASON = "Impactoost-Dead-Reason"
"""One line: the error, without a traceback."""
SERVICE = "Impactoost-Dead-Service"
CONSUMER = "Impactoost-Dead-Consumer"
"""The durable's name, or `outbox`."""
STREAM = "Impactoost-Dead-Stream"
SUBJECT = "Impactoost-Dead-Subject"
"""Where the message was (or was to be) published: a replay publishes it there again."""
SEQUENCE = "Impactoost-Dead-Sequence"
"""Its sequence in its stream (absent for an outbox row)."""
DELIVERIES = "Impactoost-Dead-Deliveries"
ORIGINAL_ID = "Impactoost-Dead-Msg-Id"
"""The original `Nats-Msg-Id`, if it had one."""
DEAD_AT = "Impactoost-Dead-At"
"""When it was given up on, ISO 8601 in UTC."""
OWN_HEADERS = (
    KIND,
    REASON,
    SERVICE,
    CONSUMER,
    STREAM,
    SUBJECT,
    SEQUENCE,
    DELIVERIES,
    ORIGINAL_ID,
    DEAD_AT,
)
MAX_REASON_CHARS = 500
