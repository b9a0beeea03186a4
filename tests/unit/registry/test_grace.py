"""The grace period: off (the default), a lapse delists at once; on, a lapsed enterprise stays
listed, marked as recertifying, until the period ends or a label returns."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from contracts.enterprises import EnterpriseDelisted, EnterpriseUpdated
from services.registry.adapters.unit_of_work import FakeDatabase
from tests.unit.registry.factories import TODAY, Clock, at, granted, lapsed, observation
from tests.unit.registry.running import queued, start_registry

pytestmark = pytest.mark.unit


async def test_without_grace_a_lapse_delists_at_once() -> None:
    database, clock = FakeDatabase(), Clock()
    registry = start_registry(database, clock)
    obs = observation()
    await registry.record_label_event(granted(obs))
    delisted = await registry.record_label_event(lapsed(obs, at(1)))
    assert isinstance(delisted, EnterpriseDelisted)
    assert (delisted.lapsed_label, delisted.lapsed_on, delisted.reason) == (
        "pso",
        TODAY,
        "label_lapsed",
    )
    assert delisted.enterprise.grace_until is None


async def test_with_grace_a_lapsed_enterprise_stays_listed_until_the_period_ends() -> None:
    database, clock = FakeDatabase(), Clock()
    registry = start_registry(database, clock, grace_days=30)
    obs = observation()
    await registry.record_label_event(granted(obs))
    updated = await registry.record_label_event(lapsed(obs, at(1)))
    last_day = TODAY + timedelta(days=29)
    assert isinstance(updated, EnterpriseUpdated)
    assert updated.enterprise.listed and updated.enterprise.grace_until == last_day
    assert "grace_until" in updated.changes
    [label] = updated.enterprise.labels
    assert label.counts and label.grace_until == last_day

    clock.set(last_day)
    assert await start_registry(database, clock, grace_days=30).pass_time() == 0
    clock.set(last_day + timedelta(days=1))
    assert await start_registry(database, clock, grace_days=30).pass_time() == 1
    delisted = queued(database)[-1]
    assert isinstance(delisted, EnterpriseDelisted)
    assert (delisted.lapsed_label, delisted.lapsed_on) == ("pso", TODAY)
    assert not delisted.enterprise.listed and delisted.enterprise.grace_until is None


async def test_a_label_that_returns_in_the_grace_period_ends_the_mark() -> None:
    database, clock = FakeDatabase(), Clock()
    registry = start_registry(database, clock, grace_days=30)
    obs = observation()
    await registry.record_label_event(granted(obs))
    await registry.record_label_event(lapsed(obs, at(1)))
    clock.set(TODAY + timedelta(days=10))
    back = await registry.record_label_event(granted(obs, clock(), episode=2))
    assert isinstance(back, EnterpriseUpdated)
    assert back.enterprise.grace_until is None and back.enterprise.listed
    clock.set(TODAY + timedelta(days=40))
    await registry.pass_time()
    assert [e.kind for e in queued(database)] == ["listed", "updated", "updated"]


@pytest.mark.parametrize(
    ("grace_days", "kinds"), [(0, ["listed", "delisted"]), (5, ["listed", "updated"])]
)
async def test_a_validity_that_ran_out_needs_no_scrape_to_take_effect(
    grace_days: int, kinds: list[str]
) -> None:
    database, clock = FakeDatabase(), Clock()
    end = TODAY + timedelta(days=3)
    registry = start_registry(database, clock, grace_days=grace_days, reminder_lead_days="")
    await registry.record_label_event(granted(observation(valid_until=end)))
    clock.set(end)
    await registry.pass_time()
    clock.set(end + timedelta(days=1))
    await registry.pass_time()
    assert [e.kind for e in queued(database)] == kinds
    last = queued(database)[-1]
    if isinstance(last, EnterpriseDelisted):
        assert last.lapsed_on == end + timedelta(days=1)
    else:
        assert last.enterprise.grace_until == end + timedelta(days=grace_days)


async def test_no_reminder_while_in_grace() -> None:
    database, clock = FakeDatabase(), Clock()
    end = TODAY + timedelta(days=3)
    registry = start_registry(database, clock, grace_days=30, reminder_lead_days="1")
    obs = observation(valid_until=end)
    await registry.record_label_event(granted(obs))
    await registry.record_label_event(lapsed(obs, at(1)))
    clock.set(end - timedelta(days=1))
    await registry.pass_time()
    assert [e.kind for e in queued(database)] == ["listed", "updated"]


async def test_a_validity_ends_at_midnight_in_the_netherlands_not_in_utc() -> None:
    database, clock = FakeDatabase(), Clock()
    end = TODAY + timedelta(days=3)
    registry = start_registry(database, clock, reminder_lead_days="")
    await registry.record_label_event(granted(observation(valid_until=end)))
    clock.now = datetime.combine(end, time(22, 30), tzinfo=UTC)  # 23:30 in Amsterdam (CET)
    await registry.pass_time()
    assert [e.kind for e in queued(database)] == ["listed"]
    clock.now = datetime.combine(end, time(23, 30), tzinfo=UTC)  # 00:30 the next day in NL
    await registry.pass_time()
    assert [e.kind for e in queued(database)] == ["listed", "delisted"]
