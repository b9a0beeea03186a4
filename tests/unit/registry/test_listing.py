"""The registry's story told through its handler, with a fake unit of work."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from contracts.base import deterministic_id
from contracts.enterprises import (
    EnterpriseDelisted,
    EnterpriseEvent,
    EnterpriseListed,
    EnterpriseUpdated,
)
from contracts.labels import LabelEvent
from services.registry.adapters.messages import OutboxMessage
from services.registry.adapters.unit_of_work import FakeDatabase, FakeUnitOfWork
from services.registry.enterprise import new_enterprise_id
from services.registry.handlers import record_label_event
from tests.unit.registry.factories import (
    TODAY,
    at,
    changed,
    granted,
    lapsed,
    observation,
)
from tests.unit.registry.running import enterprise_rows

pytestmark = pytest.mark.unit


class Story:
    """A registry with a fake database, fed label events one by one."""

    def __init__(self) -> None:
        self.database = FakeDatabase()

    def record(self, event: LabelEvent, today: date = TODAY) -> EnterpriseEvent | None:
        return record_label_event(event, FakeUnitOfWork(self.database), today, source="test")

    def outbox_kinds(self) -> list[str]:
        return [m.subject.rsplit(".", 1)[1] for m in enterprise_rows(self.database)]


@pytest.fixture
def story() -> Story:
    return Story()


def test_granted_label_lists_a_new_enterprise(story: Story) -> None:
    obs = observation()
    event = story.record(granted(obs))
    enterprise_id = new_enterprise_id("pso", obs.holding_id)
    assert isinstance(event, EnterpriseListed)
    assert event.event_id == deterministic_id(enterprise_id, 1, "listed")
    state = event.enterprise
    assert (state.enterprise_id, state.version, state.listed) == (enterprise_id, 1, True)
    assert (state.name, state.place, state.kvk) == (
        "Kringloop Twente B.V.",
        "Enschede",
        ("06123456",),
    )
    assert state.listed_since == event.occurred_at
    assert [h.holding_id for h in state.labels] == [obs.holding_id]
    assert state.labels[0].counts and state.labels[0].last_verified_at == event.occurred_at
    assert (
        enterprise_rows(story.database)[0].subject
        == "impact.v1.enterprises.onbekend.onbekend.listed"
    )


def test_second_label_sharing_a_kvk_number_updates_the_enterprise(story: Story) -> None:
    story.record(granted(observation()))
    second = observation("PSO-2025-0001", kvk=("61234567", "06123456"), themes=("circulair",))
    event = story.record(granted(second, at(1)))
    assert isinstance(event, EnterpriseUpdated)
    assert event.enterprise.version == 2
    assert set(event.changes) == {"labels", "kvk", "themes"}
    assert event.enterprise.kvk == ("06123456", "61234567")
    assert len(event.enterprise.labels) == 2
    assert len(story.database.enterprises) == 1


def test_holding_sharing_neither_kvk_nor_website_founds_its_own_enterprise(story: Story) -> None:
    story.record(granted(observation()))
    other = observation("PSO-2025-0002", kvk=("99999999",), website="https://elders.nl/")
    event = story.record(granted(other, at(1)))
    assert isinstance(event, EnterpriseListed)
    assert len(story.database.enterprises) == 2


def test_lapse_of_one_of_two_labels_updates_and_keeps_listing(story: Story) -> None:
    first, second = observation(), observation("PSO-2025-0001")
    story.record(granted(first))
    story.record(granted(second, at(1)))
    event = story.record(lapsed(first, at(24)), TODAY + timedelta(days=1))
    assert isinstance(event, EnterpriseUpdated)
    assert event.enterprise.listed and event.changes == ("labels",)
    counts = {h.holding_id: h.counts for h in event.enterprise.labels}
    assert counts == {first.holding_id: False, second.holding_id: True}


def test_lapse_of_last_label_delists_with_label_and_date(story: Story) -> None:
    obs = observation()
    story.record(granted(obs))
    event = story.record(lapsed(obs, at(48)), TODAY + timedelta(days=2))
    assert isinstance(event, EnterpriseDelisted)
    assert (event.lapsed_label, event.lapsed_on) == ("pso", TODAY + timedelta(days=2))
    assert not event.enterprise.listed and event.enterprise.listed_since is None
    assert event.enterprise.version == 2
    assert story.outbox_kinds() == ["listed", "delisted"]


def test_expired_holding_does_not_count(story: Story) -> None:
    expired = observation(valid_until=TODAY - timedelta(days=1))
    assert story.record(granted(expired)) is None
    assert story.database.outbox == []
    assert not story.database.enterprises[new_enterprise_id("pso", expired.holding_id)].listed


def test_expiry_noticed_on_a_later_event_delists_from_the_day_after(story: Story) -> None:
    obs = observation(valid_until=TODAY)
    story.record(granted(obs))
    later = TODAY + timedelta(days=3)
    renamed = observation(valid_until=TODAY, name="Kringloop Twente")
    event = story.record(changed(renamed, obs, at(72)), later)
    assert isinstance(event, EnterpriseDelisted)
    assert (event.lapsed_label, event.lapsed_on) == ("pso", TODAY + timedelta(days=1))


def test_regrant_after_lapse_lists_again_with_the_next_version(story: Story) -> None:
    obs = observation()
    story.record(granted(obs))
    story.record(lapsed(obs, at(24)))
    event = story.record(granted(obs, at(48), episode=2))
    assert isinstance(event, EnterpriseListed)
    assert event.enterprise.version == 3
    assert event.enterprise.listed_since == at(48)
    assert story.outbox_kinds() == ["listed", "delisted", "listed"]


def test_duplicate_event_changes_nothing(story: Story) -> None:
    event = granted(observation())
    story.record(event)
    before = story.database.enterprises.copy()
    assert story.record(event) is None
    assert story.database.enterprises == before
    assert len(enterprise_rows(story.database)) == 1 and story.database.processed == {
        event.event_id
    }


def test_changed_event_without_public_change_publishes_nothing(story: Story) -> None:
    obs = observation()
    story.record(granted(obs))
    assert story.record(changed(obs, obs, at(24))) is None
    assert story.outbox_kinds() == ["listed"]


def test_changed_level_updates_labels(story: Story) -> None:
    obs = observation()
    story.record(granted(obs))
    event = story.record(changed(observation(level="trede-2"), obs, at(24)))
    assert isinstance(event, EnterpriseUpdated)
    assert event.changes == ("labels",)
    assert event.enterprise.labels[0].level == "trede-2"
    assert event.enterprise.labels[0].last_verified_at == at(24)


def test_changes_while_unlisted_publish_nothing(story: Story) -> None:
    obs = observation()
    story.record(granted(obs))
    story.record(lapsed(obs, at(24)))
    second = observation("PSO-2025-0003", counts=False, status="aspirant")
    assert story.record(changed(second, second, at(25))) is None
    assert story.outbox_kinds() == ["listed", "delisted"]


def test_stale_redelivery_about_a_holding_is_ignored(story: Story) -> None:
    obs = observation()
    story.record(granted(obs))
    story.record(lapsed(obs, at(24)))
    story.record(granted(obs, at(48), episode=2))
    late = changed(observation(level="trede-1"), obs, at(12))
    assert story.record(late) is None
    assert story.outbox_kinds() == ["listed", "delisted", "listed"]


def test_newest_counting_holding_names_the_enterprise(story: Story) -> None:
    story.record(granted(observation()))
    other = observation("PSO-2025-0001", name="Kringloop Twente Goor", place="Goor")
    event = story.record(granted(other, at(1)))
    assert event is not None
    assert (event.enterprise.name, event.enterprise.place) == ("Kringloop Twente Goor", "Goor")
    event = story.record(lapsed(other, at(2)))
    assert isinstance(event, EnterpriseUpdated)
    assert (event.enterprise.name, event.enterprise.place) == ("Kringloop Twente B.V.", "Enschede")
    assert set(event.changes) == {"name", "place", "labels"}


def test_failed_commit_leaves_nothing_behind(story: Story) -> None:
    event = granted(observation())
    uow = FakeUnitOfWork(story.database)
    story.database.outbox.append(_clash(event))
    with pytest.raises(ValueError, match="unique"):
        record_label_event(event, uow, TODAY, source="test")
    assert story.database.enterprises == {} and story.database.processed == set()


def _clash(event: LabelEvent) -> OutboxMessage:
    """An outbox row already holding the event id the handler is about to write."""
    enterprise_id = new_enterprise_id("pso", "PSO-2024-0153")
    return OutboxMessage(
        id=1,
        event_id=deterministic_id(enterprise_id, 1, "listed"),
        subject="x",
        payload="{}",
        created_at=event.occurred_at,
    )
