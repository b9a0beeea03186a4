"""Reminders and grace periods on a real database and a real nats-server: each reminder is
published once, whatever restarts happen, and a grace period ends in a delisting."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from faststream import TestApp
from sqlalchemy import func, select

from contracts.enterprises import EnterpriseDelisted, EnterpriseRecertificationDue
from services.registry.adapters.database import make_engine
from services.registry.adapters.tables import OutboxRow, ReminderRow
from services.registry.bootstrap import bootstrap
from services.registry.main import create_app
from tests.integration.registry.test_registry_app import (
    _enterprise_messages,
    _publish_labels,
    _settings,
)
from tests.unit.registry.factories import TODAY, Clock, at, granted, lapsed, observation

pytestmark = pytest.mark.integration


def _rows(database_url: str) -> tuple[int, int]:
    """(outbox rows, reminder rows) in the registry's database: a reminder has no state row."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return tuple(  # type: ignore[return-value]
                connection.execute(select(func.count()).select_from(table)).scalar_one()
                for table in (OutboxRow, ReminderRow)
            )
    finally:
        engine.dispose()


async def _run_registry(settings: Any, clock: Clock, expected_messages: int) -> list[Any]:
    """Start the registry (its time checks run at start-up), wait for the stream, stop it."""
    app = create_app(settings, registry=bootstrap(settings, clock=clock))
    async with TestApp(app):
        return await _enterprise_messages(settings.nats_url, expected_messages)


async def test_each_reminder_is_published_once_across_restarts(
    nats_streams: str, database_url: str, tmp_path: Path
) -> None:
    # Published rows kept for the count below, however far the clock moves.
    settings = _settings(nats_streams, database_url, tmp_path).model_copy(
        update={"outbox_keep_days": 3650}
    )
    end = TODAY + timedelta(days=40)
    await _publish_labels(nats_streams, granted(observation(valid_until=end)))
    clock = Clock(TODAY)
    await _run_registry(settings, clock, 1)  # the label event may land after the first check
    for day, published in (
        (TODAY, 2),
        (TODAY, 2),
        (end - timedelta(30), 3),
        (end - timedelta(7), 4),
    ):
        clock.set(day)
        messages = await _run_registry(settings, clock, published)
        assert len(messages) == published
    for _ in range(2):
        messages = await _run_registry(settings, clock, 4)
    kinds = [m.event.kind for m in messages]
    assert kinds == ["listed", *["recertification_due"] * 3]
    reminders = [m.event for m in messages[1:]]
    assert all(isinstance(r, EnterpriseRecertificationDue) for r in reminders)
    assert [(r.lead_days, r.valid_until) for r in reminders] == [(60, end), (30, end), (7, end)]
    assert {m.subject for m in messages[1:]} == {
        "impact.v1.enterprises.overijssel.twente.recertification_due"
    }
    assert _rows(database_url) == (5, 3), "each reminder queued once, not only deduplicated"


async def test_a_grace_period_ends_in_a_delisting_after_a_restart(
    nats_streams: str, database_url: str, tmp_path: Path
) -> None:
    settings = _settings(nats_streams, database_url, tmp_path).model_copy(update={"grace_days": 10})
    obs = observation()
    await _publish_labels(nats_streams, granted(obs), lapsed(obs, at(2)))
    clock = Clock(TODAY)
    messages = await _run_registry(settings, clock, 2)
    assert [m.event.kind for m in messages] == ["listed", "updated"]
    assert messages[1].event.enterprise.grace_until == TODAY + timedelta(days=9)
    clock.set(TODAY + timedelta(days=10))
    messages = await _run_registry(settings, clock, 3)
    delisted = messages[-1].event
    assert isinstance(delisted, EnterpriseDelisted)
    assert (delisted.lapsed_label, delisted.lapsed_on) == ("pso", TODAY)
