"""The health report's rules, without a server: what makes a service degraded and why, what
its own checks may add, and how often the gateway gathers the reports."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from faststream.nats import NatsBroker

from services.gateway.platform_health import PlatformHealth
from services.kit.health import (
    ConsumerHealth,
    HealthCheck,
    RelayHealth,
    ServiceHealth,
    judge,
    with_relay_age,
)

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def report(**fields: Any) -> ServiceHealth:
    return ServiceHealth.model_validate(
        {"service": "registry", "status": "ok", "checked_at": NOW, "dead_letters": 0} | fields
    )


def consumer(durable: str, redelivered: int = 0, pending: int = 0) -> ConsumerHealth:
    return ConsumerHealth(
        stream="LABELS", durable=durable, pending=pending, ack_pending=0, redelivered=redelivered
    )


def test_a_backlog_alone_is_healthy_but_redeliveries_and_dead_letters_are_not() -> None:
    assert judge(report(consumers=[consumer("registry-labels", pending=5000)]), 60) == []
    busy = report(consumers=[consumer("registry-labels", redelivered=2)], dead_letters=3)
    assert judge(busy, 60) == [
        "3 dead letter(s): see `impactoost dlq list`",
        "durable registry-labels on LABELS: 2 message(s) redelivered",
    ]


def test_a_relay_is_behind_once_its_oldest_row_is_older_than_the_setting() -> None:
    def aged(seconds: float) -> ServiceHealth:
        oldest = RelayHealth(backlog=7, oldest_unpublished_at=NOW - timedelta(seconds=seconds))
        return with_relay_age(report(relay=oldest), NOW)

    assert aged(60).relay == RelayHealth(
        backlog=7, oldest_unpublished_at=NOW - timedelta(seconds=60), oldest_age_seconds=60.0
    )
    assert judge(aged(60), 60) == []
    assert judge(aged(61), 60) == [
        "outbox relay behind: oldest unpublished row 61 s old, 7 waiting"
    ]
    assert judge(with_relay_age(report(relay=RelayHealth(backlog=0)), NOW), 60) == []


async def test_without_nats_a_service_says_so_and_still_gives_its_own_sections() -> None:
    async def relay() -> Mapping[str, Any]:
        return {"relay": {"backlog": 1, "oldest_unpublished_at": NOW - timedelta(seconds=2)}}

    got = await HealthCheck("registry", extra=relay, clock=lambda: NOW).report(None)
    assert (got.status, got.problems, got.dead_letters) == (
        "degraded",
        ["not connected to NATS"],
        None,
    )
    assert got.relay is not None and got.relay.oldest_age_seconds == 2.0


async def test_own_checks_that_fail_or_answer_nonsense_are_problems_not_crashes() -> None:
    async def failing() -> Mapping[str, Any]:
        raise RuntimeError("database is locked")

    async def nonsense() -> Mapping[str, Any]:
        return {"relay": {"backlog": -1}}

    failed = await HealthCheck("registry", extra=failing, clock=lambda: NOW).report(None)
    assert failed.problems[1] == "own checks failed: RuntimeError: database is locked"
    unreadable = await HealthCheck("registry", extra=nonsense, clock=lambda: NOW).report(None)
    assert unreadable.problems[1].startswith("own checks unreadable: ValidationError")
    assert unreadable.relay is None


async def test_other_sections_a_service_adds_are_kept_in_its_report() -> None:
    async def scrapes() -> Mapping[str, Any]:
        return {"scrapes": {"pso": "ok"}}

    got = await HealthCheck("scraper", extra=scrapes, clock=lambda: NOW).report(None)
    assert got.model_dump()["scrapes"] == {"pso": "ok"}
    assert ServiceHealth.model_validate_json(got.model_dump_json()) == got


class Ticks:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_the_gateway_gathers_at_most_once_per_cache_period() -> None:
    asked: list[int] = []

    async def counted() -> Mapping[str, Any]:
        asked.append(1)
        await asyncio.sleep(0)
        return {}

    ticks = Ticks()
    check = HealthCheck("gateway", extra=counted, clock=lambda: NOW)
    platform = PlatformHealth(check, NatsBroker(), cache_seconds=5, monotonic=ticks)
    first, *others = await asyncio.gather(*(platform.current() for _ in range(10)))
    assert all(other is first for other in others) and len(asked) == 1
    assert [(s.service, s.status) for s in first.services] == [
        ("scraper", "unreachable"),
        ("registry", "unreachable"),
        ("notifier", "unreachable"),
    ]
    ticks.now += 4.9
    assert await platform.current() is first
    ticks.now += 0.2
    assert await platform.current() is not first
    assert len(asked) == 2
