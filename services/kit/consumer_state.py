"""What JetStream knows about a durable: how far it got and what waits. Health reports it,
and pruning of processed ids is bounded by its ack floor."""

from __future__ import annotations

from dataclasses import dataclass

from nats.js import JetStreamContext


@dataclass(frozen=True)
class ConsumerState:
    """A durable's counts as the server reports them."""

    stream: str
    durable: str
    pending: int
    """Messages in its filter not yet delivered."""
    ack_pending: int
    """Delivered, not yet acknowledged."""
    redelivered: int
    """Delivered more than once and still unacknowledged."""
    ack_floor: int
    """The stream sequence up to which every message is acknowledged or terminated: none of
    them is delivered again, unless the durable is deleted and made anew."""


async def consumer_state(js: JetStreamContext, stream: str, durable: str) -> ConsumerState:
    """The server's view of `durable` on `stream` (raises nats.js.errors.NotFoundError)."""
    info = await js.consumer_info(stream, durable)
    floor = info.ack_floor.stream_seq if info.ack_floor is not None else 0
    return ConsumerState(
        stream=stream,
        durable=durable,
        pending=info.num_pending or 0,
        ack_pending=info.num_ack_pending or 0,
        redelivered=info.num_redelivered or 0,
        ack_floor=floor or 0,
    )
