"""Recertification reminders: at each lead time once per validity period, only for the label
whose loss would delist, from the time checks, and never again after a restart."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from contracts.enterprises import EnterpriseRecertificationDue
from services.registry.adapters.unit_of_work import FakeDatabase
from tests.unit.registry.factories import TODAY, Clock, changed, granted, observation
from tests.unit.registry.running import enterprise_rows, queued, start_registry

pytestmark = pytest.mark.unit


def reminders(database: FakeDatabase) -> list[tuple[str, date, int, date]]:
    """(label, valid_until, lead_days, day sent) of every reminder queued."""
    found = []
    for event in queued(database, "recertification_due"):
        assert isinstance(event, EnterpriseRecertificationDue)
        found.append((event.label, event.valid_until, event.lead_days, event.occurred_at.date()))
    return found


async def live_through(
    database: FakeDatabase, clock: Clock, first: date, last: date, **settings: object
) -> None:
    """Each day from `first` to `last`: the registry restarts and runs its time checks twice."""
    day = first
    while day <= last:
        clock.set(day)
        registry = start_registry(database, clock, **settings)
        await registry.pass_time()
        await registry.pass_time()
        day += timedelta(days=1)


async def test_each_lead_time_reminds_once_across_daily_restarts() -> None:
    database, clock = FakeDatabase(), Clock()
    end = TODAY + timedelta(days=90)
    await start_registry(database, clock).record_label_event(granted(observation(valid_until=end)))
    await live_through(database, clock, TODAY, end + timedelta(days=3))
    assert reminders(database) == [
        ("pso", end, 60, end - timedelta(days=60)),
        ("pso", end, 30, end - timedelta(days=30)),
        ("pso", end, 7, end - timedelta(days=7)),
    ]
    [event, *_] = queued(database, "recertification_due")
    assert (
        enterprise_rows(database)[1].subject
        == "impact.v1.enterprises.overijssel.twente.recertification_due"
    )
    assert event.enterprise.listed and event.enterprise.version == 1


async def test_first_seen_close_to_its_end_gets_only_the_most_urgent_reminder() -> None:
    database, clock = FakeDatabase(), Clock()
    end = TODAY + timedelta(days=20)
    registry = start_registry(database, clock)
    await registry.record_label_event(granted(observation(valid_until=end)))
    assert reminders(database) == [], "reminders go out from the time checks, not with events"
    await live_through(database, clock, TODAY, end)
    assert reminders(database) == [("pso", end, 30, TODAY), ("pso", end, 7, end - timedelta(7))]


async def test_a_renewal_starts_a_new_period_with_its_own_reminders() -> None:
    database, clock = FakeDatabase(), Clock()
    end = TODAY + timedelta(days=10)
    before = observation(valid_until=end)
    registry = start_registry(database, clock)
    await registry.record_label_event(granted(before))
    await registry.pass_time()
    renewed_until = end + timedelta(days=730)
    renewed = observation(valid_until=renewed_until)
    await registry.record_label_event(changed(renewed, before, clock() + timedelta(hours=1)))
    await live_through(database, clock, TODAY, renewed_until - timedelta(days=59))
    assert reminders(database) == [
        ("pso", end, 30, TODAY),
        ("pso", renewed_until, 60, renewed_until - timedelta(days=60)),
    ]


async def test_only_the_label_whose_loss_would_delist_is_reminded() -> None:
    database, clock = FakeDatabase(), Clock()
    pso_end, code_end = TODAY + timedelta(days=20), TODAY + timedelta(days=100)
    registry = start_registry(database, clock)
    await registry.record_label_event(granted(observation(valid_until=pso_end)))
    code = observation(
        "kringloop-twente", label="codeso", status="geregistreerd", valid_until=code_end
    )
    await registry.record_label_event(granted(code))
    await live_through(database, clock, TODAY, code_end - timedelta(days=60))
    assert reminders(database) == [("codeso", code_end, 60, code_end - timedelta(days=60))]


async def test_a_label_without_an_end_date_means_no_reminder_at_all() -> None:
    database, clock = FakeDatabase(), Clock()
    registry = start_registry(database, clock)
    await registry.record_label_event(granted(observation(valid_until=TODAY + timedelta(days=5))))
    member = observation(
        "kringloop-twente", label="senl", status="lid", level="lid", valid_until=None
    )
    await registry.record_label_event(granted(member))
    await live_through(database, clock, TODAY, TODAY + timedelta(days=5))
    assert reminders(database) == []


async def test_an_enterprise_outside_the_served_region_is_never_reminded() -> None:
    database, clock = FakeDatabase(), Clock()
    registry = start_registry(database, clock)
    far = observation(place="Amsterdam", valid_until=TODAY + timedelta(days=5))
    await registry.record_label_event(granted(far))
    await live_through(database, clock, TODAY, TODAY + timedelta(days=5))
    assert queued(database) == []


async def test_lead_times_are_configuration() -> None:
    database, clock = FakeDatabase(), Clock()
    end = TODAY + timedelta(days=40)
    registry = start_registry(database, clock, reminder_lead_days="14")
    await registry.record_label_event(granted(observation(valid_until=end)))
    await live_through(database, clock, TODAY, end, reminder_lead_days="14")
    assert reminders(database) == [("pso", end, 14, end - timedelta(days=14))]


async def test_no_lead_times_means_no_reminders() -> None:
    database, clock = FakeDatabase(), Clock()
    registry = start_registry(database, clock, reminder_lead_days="")
    await registry.record_label_event(granted(observation(valid_until=TODAY + timedelta(3))))
    await live_through(database, clock, TODAY, TODAY + timedelta(days=3), reminder_lead_days="")
    assert reminders(database) == []


async def test_the_time_checks_look_only_at_enterprises_due() -> None:
    database, clock = FakeDatabase(), Clock()
    end = TODAY + timedelta(days=90)
    registry = start_registry(database, clock)
    await registry.record_label_event(granted(observation(valid_until=end)))
    [enterprise] = database.enterprises.values()
    assert enterprise.next_check_on == end - timedelta(days=60)
    clock.set(end - timedelta(days=60))
    assert await registry.pass_time() == 1
    [enterprise] = database.enterprises.values()
    assert enterprise.next_check_on == end - timedelta(days=30)


async def test_a_label_valid_until_the_last_day_the_schema_allows_is_recorded_and_checked() -> None:
    # 9999-12-31 is a date the contract allows; the day after it is none, and asking for it
    # must not fail the event (it would be redelivered for ever).
    database, clock = FakeDatabase(), Clock()
    registry = start_registry(database, clock)
    await registry.record_label_event(granted(observation(valid_until=date.max)))
    [enterprise] = database.enterprises.values()
    assert enterprise.listed
    assert enterprise.next_check_on == date.max - timedelta(days=60)
    clock.set(date.max - timedelta(days=7))
    assert await registry.pass_time() == 1
    assert [lead for _, _, lead, _ in reminders(database)] == [7]
