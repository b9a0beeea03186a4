"""A service's health as it truly is: its durables' backlog and redeliveries, its dead
letters, and what the service adds (the registry: its outbox relay's backlog and oldest row).

Liveness alone hid a stuck relay behind "ok"; this report is `degraded`, with the reasons in
`problems`, whenever something waits that should not. health_requests.py answers it over core
NATS; the gateway's `/healthz` and `impactoost health` gather every service's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from contracts.base import utc_now
from contracts.subjects import DEAD_LETTER_PREFIX, DEADLETTERS_STREAM
from services.kit.batches import BatchConsumer
from services.kit.consumer_state import consumer_state
from services.kit.nats_users import Durable

HealthStatus = Literal["ok", "degraded", "unreachable"]
Extra = Callable[[], Awaitable[Mapping[str, Any]]]
"""A service's own sections of its report, e.g. `{"relay": {...}}` (see RelayHealth)."""
RELAY_STALE_SECONDS = 60.0


class ConsumerHealth(BaseModel):
    """One durable as the server reports it."""

    stream: str
    durable: str
    pending: int = Field(description="Messages in its filter not yet delivered")
    ack_pending: int = Field(description="Delivered, not yet acknowledged")
    redelivered: int = Field(description="Delivered more than once and still unacknowledged")


class RelayHealth(BaseModel):
    """An outbox relay: what it has not published yet, and since when."""

    backlog: int = Field(ge=0, description="Outbox rows not yet published")
    oldest_unpublished_at: datetime | None = Field(
        default=None, description="When the oldest of them was committed"
    )
    oldest_age_seconds: float | None = Field(
        default=None, description="Its age when checked (from `oldest_unpublished_at`)"
    )
    given_up: int = Field(
        default=0, ge=0, description="Rows it gave up on (each also a dead letter)"
    )


class ServiceHealth(BaseModel):
    """A service's health report; further sections a service adds are kept as they are."""

    model_config = ConfigDict(extra="allow")

    service: str
    status: HealthStatus
    checked_at: datetime
    problems: list[str] = Field(
        default_factory=list, description="Why it is not `ok`, one short line each"
    )
    consumers: list[ConsumerHealth] = Field(default_factory=list)
    dead_letters: int | None = Field(
        default=None, description="Dead letters it put in DEADLETTERS (null: not known)"
    )
    relay: RelayHealth | None = Field(default=None, description="The registry's outbox relay")

    @classmethod
    def unreachable(cls, service: str, reason: str, now: datetime) -> ServiceHealth:
        """The report of a service that did not answer."""
        return cls(service=service, status="unreachable", checked_at=now, problems=[reason])


@dataclass(frozen=True)
class HealthCheck:
    """How one service checks itself: its durables, its dead letters, its `extra` sections."""

    service: str
    durables: Sequence[Durable] = ()
    extra: Extra | None = None
    relay_stale_seconds: float = RELAY_STALE_SECONDS
    clock: Callable[[], datetime] = field(default=utc_now)

    async def report(self, js: JetStreamContext | None) -> ServiceHealth:
        """The report now; never raises: what cannot be read becomes a problem."""
        now = self.clock()
        problems: list[str] = []
        if js is None:
            problems.append("not connected to NATS")
            consumers: list[ConsumerHealth] = []
            dead: int | None = None
            sections = await self._sections(problems)
        else:
            consumers, dead, sections = await asyncio.gather(
                self._consumers(js, problems),
                self._dead_letters(js, problems),
                self._sections(problems),
            )
        known = {"service": self.service, "status": "ok", "checked_at": now}
        known |= {"consumers": consumers, "dead_letters": dead}
        try:
            report = ServiceHealth.model_validate({**sections, **known})
        except ValidationError as exc:
            problems.append(f"own checks unreadable: {_brief(exc)}")
            report = ServiceHealth.model_validate(known)
        report = with_relay_age(report, now)
        problems += judge(report, self.relay_stale_seconds)
        return report.model_copy(
            update={"problems": problems, "status": "degraded" if problems else "ok"}
        )

    async def _consumers(self, js: JetStreamContext, problems: list[str]) -> list[ConsumerHealth]:
        async def one(durable: Durable) -> ConsumerHealth | None:
            try:
                state = await consumer_state(js, durable.stream, durable.name)
            except NotFoundError:
                problems.append(f"durable {durable.name} on {durable.stream} does not exist")
                return None
            except Exception as exc:
                problems.append(f"durable {durable.name} on {durable.stream}: {_brief(exc)}")
                return None
            return ConsumerHealth(
                stream=state.stream,
                durable=state.durable,
                pending=state.pending,
                ack_pending=state.ack_pending,
                redelivered=state.redelivered,
            )

        found = await asyncio.gather(*map(one, self.durables))
        return [c for c in found if c is not None]

    async def _dead_letters(self, js: JetStreamContext, problems: list[str]) -> int | None:
        try:
            return await dead_letter_count(js, self.service)
        except Exception as exc:
            problems.append(f"dead letters not counted: {_brief(exc)}")
            return None

    async def _sections(self, problems: list[str]) -> Mapping[str, Any]:
        if self.extra is None:
            return {}
        try:
            return dict(await self.extra())
        except Exception as exc:
            problems.append(f"own checks failed: {_brief(exc)}")
            return {}


def with_relay_age(report: ServiceHealth, now: datetime) -> ServiceHealth:
    """`report` with its relay's oldest age filled in from `oldest_unpublished_at`."""
    relay = report.relay
    if relay is None or relay.oldest_unpublished_at is None or relay.oldest_age_seconds is not None:
        return report
    age = max(0.0, (now - relay.oldest_unpublished_at).total_seconds())
    return report.model_copy(update={"relay": relay.model_copy(update={"oldest_age_seconds": age})})


def judge(report: ServiceHealth, relay_stale_seconds: float) -> list[str]:
    """Why `report` is degraded: dead letters, redeliveries, a relay behind (pure)."""
    problems: list[str] = []
    if report.dead_letters:
        problems.append(f"{report.dead_letters} dead letter(s): see `impactoost dlq list`")
    problems += [
        f"durable {c.durable} on {c.stream}: {c.redelivered} message(s) redelivered"
        for c in report.consumers
        if c.redelivered
    ]
    relay = report.relay
    age = relay.oldest_age_seconds if relay is not None else None
    if relay is not None and age is not None and age > relay_stale_seconds:
        problems.append(
            f"outbox relay behind: oldest unpublished row {age:.0f} s old, {relay.backlog} waiting"
        )
    return problems


async def dead_letter_count(js: JetStreamContext, service: str) -> int:
    """How many dead letters `service` has in DEADLETTERS (0 while the stream is missing):
    the stream's per-subject counts under `impactoost.deadletters.<service>.>`."""
    try:
        info = await js.stream_info(
            DEADLETTERS_STREAM.name, subjects_filter=f"{DEAD_LETTER_PREFIX}.{service}.>"
        )
    except NotFoundError:
        return 0
    return sum((info.state.subjects or {}).values())


def running_durables(consumers: Iterable[BatchConsumer[Any]]) -> tuple[Durable, ...]:
    """The durables a service runs: its batch consumers', each once."""
    pairs = ((c.spec.stream.name, c.spec.durable) for c in consumers)
    return tuple(dict.fromkeys(Durable(stream, name) for stream, name in pairs))


def _brief(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__
