"""Holdings from different labels merged into one enterprise, and an operator's split."""

from __future__ import annotations

import pytest

from contracts.enterprises import (
    EnterpriseDelisted,
    EnterpriseEvent,
    EnterpriseListed,
    EnterpriseUpdated,
)
from contracts.labels import LabelEvent, Observation
from services.registry.adapters.unit_of_work import FakeDatabase, FakeUnitOfWork
from services.registry.handlers import SplitRefused, record_label_event, split_merge
from services.registry.regions import Resolution, municipality_by_code
from tests.unit.registry.factories import TODAY, at, changed, granted, observation
from tests.unit.registry.running import enterprise_rows

pytestmark = pytest.mark.unit


def placed(code: str) -> Resolution:
    found = municipality_by_code(code)
    assert found is not None
    return Resolution(found.name, found, "bundled", "bundled data", ())


ENSCHEDE, HENGELO = placed("GM0153"), placed("GM0164")


def member(slug: str, **facts: object) -> Observation:
    """A KvK-less Social Enterprise NL membership."""
    values: dict[str, object] = {
        "label": "senl",
        "level": None,
        "status": "lid",
        "kvk": (),
        "valid_from": None,
        "valid_until": None,
        "source_url": f"https://www.social-enterprise.nl/leden/{slug}",
    }
    return observation(slug, **{**values, **facts})


class Registry:
    def __init__(self) -> None:
        self.database = FakeDatabase()

    def record(
        self, event: LabelEvent, resolution: Resolution | None = ENSCHEDE
    ) -> EnterpriseEvent | None:
        uow = FakeUnitOfWork(self.database)
        return record_label_event(event, uow, TODAY, source="test", resolution=resolution)

    def enterprise_of(self, label: str, holding_id: str) -> str:
        return next(
            e.enterprise_id
            for e in self.database.enterprises.values()
            if (label, holding_id) in e.holdings
        )


@pytest.fixture
def registry() -> Registry:
    return Registry()


def test_kvkless_member_joins_the_certified_enterprise_with_the_same_website(
    registry: Registry,
) -> None:
    registry.record(granted(observation(website="https://www.kringlooptwente.nl/")))
    event = registry.record(granted(member("kringloop-twente", name="Anders"), at(1)))
    assert isinstance(event, EnterpriseUpdated)
    assert {h.label for h in event.enterprise.labels} == {"pso", "senl"}
    (merge,) = registry.database.merges
    assert (merge.rule, merge.value, merge.label) == ("website", "kringlooptwente.nl", "senl")
    assert merge.enterprise_id == event.enterprise.enterprise_id


def test_same_name_in_the_same_municipality_merges(registry: Registry) -> None:
    registry.record(granted(observation(website=None)))
    event = registry.record(
        granted(member("kt", name="Stichting Kringloop Twente", website=None), at(1))
    )
    assert isinstance(event, EnterpriseUpdated)
    assert [m.rule for m in registry.database.merges] == ["name"]


def test_same_name_in_another_municipality_stays_apart(registry: Registry) -> None:
    registry.record(granted(observation(website=None)))
    event = registry.record(granted(member("kt", website=None, place="Hengelo"), at(1)), HENGELO)
    assert isinstance(event, EnterpriseListed)
    assert len(registry.database.enterprises) == 2
    assert registry.database.merges == []


def test_certificate_with_several_kvk_numbers_links_them_all(registry: Registry) -> None:
    registry.record(granted(observation(kvk=("06123456", "06999999"), website=None)))
    second = observation("PSO-2", kvk=("0699 9999",), website=None, name="Twente Werkt")
    registry.record(granted(second, at(1)), HENGELO)
    assert len(registry.database.enterprises) == 1
    assert [(m.rule, m.value) for m in registry.database.merges] == [("kvk", "06999999")]


def test_split_survives_a_rescrape(registry: Registry) -> None:
    registry.record(granted(observation(website="https://kringlooptwente.nl/")))
    wrong = member("kringloop-twente-oost", name="Kringloop Oost")
    registry.record(granted(wrong, at(1)))
    old = registry.enterprise_of("pso", "PSO-2024-0153")
    done = split_merge(1, FakeUnitOfWork(registry.database), TODAY, source="test", now=at(2))
    assert done.remaining_id == old != done.split_off_id
    assert isinstance(done.remaining_event, EnterpriseUpdated)
    assert isinstance(done.split_off_event, EnterpriseListed)
    assert [m.subject.rsplit(".", 1)[1] for m in enterprise_rows(registry.database)][-2:] == [
        "updated",
        "listed",
    ]
    rescraped = wrong.model_copy(update={"name": "Kringloop Oost B.V."})
    registry.record(changed(rescraped, wrong, at(26)), None)
    assert registry.enterprise_of("senl", wrong.holding_id) == done.split_off_id
    assert len(registry.database.enterprises[old].holdings) == 1
    assert registry.database.merges[0].split_at == at(2)


def test_split_of_the_only_counting_holding_delists_the_rest(registry: Registry) -> None:
    registry.record(granted(observation(counts=False, status="aspirant")))
    registry.record(granted(member("kt", name="Anders"), at(1)), None)
    done = split_merge(1, FakeUnitOfWork(registry.database), TODAY, source="test", now=at(2))
    assert isinstance(done.remaining_event, EnterpriseDelisted)
    assert done.remaining_event.lapsed_label == "senl"
    assert isinstance(done.split_off_event, EnterpriseListed)


def test_unknown_or_repeated_split_is_refused(registry: Registry) -> None:
    with pytest.raises(SplitRefused, match="no merge with id 7"):
        split_merge(7, FakeUnitOfWork(registry.database), TODAY, source="test")
    registry.record(granted(observation()))
    registry.record(granted(member("kt"), at(1)), None)
    split_merge(1, FakeUnitOfWork(registry.database), TODAY, source="test", now=at(2))
    with pytest.raises(SplitRefused, match="already split"):
        split_merge(1, FakeUnitOfWork(registry.database), TODAY, source="test", now=at(3))
