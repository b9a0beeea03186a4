"""The served region: an enterprise whose place lies outside it is not listed; one whose place
is unknown is; the region is configuration."""

from __future__ import annotations

import pytest

from contracts.enterprises import EnterpriseDelisted
from services.kit.settings import ConfigError, load_settings
from services.registry.adapters.unit_of_work import FakeDatabase
from services.registry.config import RegistrySettings
from tests.unit.registry.factories import Clock, at, changed, granted, observation
from tests.unit.registry.running import enterprise_rows, queued, start_registry

pytestmark = pytest.mark.unit


async def test_only_enterprises_in_overijssel_and_gelderland_are_listed_by_default() -> None:
    database, clock = FakeDatabase(), Clock()
    registry = start_registry(database, clock)
    for number, place in (("1", "Zwolle"), ("2", "Amsterdam"), ("3", "Doetinchem")):
        obs = observation(f"PSO-{number}", place=place, kvk=(f"0600000{number}",), website=None)
        await registry.record_label_event(granted(obs))
    assert [(e.kind, e.enterprise.place) for e in queued(database)] == [
        ("listed", "Zwolle"),
        ("listed", "Doetinchem"),
    ]


async def test_a_place_that_cannot_be_resolved_does_not_hide_the_enterprise() -> None:
    database, clock = FakeDatabase(), Clock()
    listed = await start_registry(database, clock).record_label_event(
        granted(observation(place="Nergenshuizen"))
    )
    assert listed is not None and listed.enterprise.listed
    assert listed.enterprise.province is None


async def test_moving_out_of_the_region_delists_with_that_reason() -> None:
    database, clock = FakeDatabase(), Clock()
    registry = start_registry(database, clock)
    before = observation(place="Zwolle")
    await registry.record_label_event(granted(before))
    moved = observation(place="Utrecht")
    delisted = await registry.record_label_event(changed(moved, before, at(1)))
    assert isinstance(delisted, EnterpriseDelisted)
    assert (delisted.reason, delisted.lapsed_label, delisted.lapsed_on) == (
        "outside_region",
        None,
        None,
    )
    assert delisted.enterprise.province == "Utrecht" and not delisted.enterprise.listed
    assert (
        enterprise_rows(database)[-1].subject
        == "impact.v1.enterprises.utrecht.midden-utrecht.delisted"
    )


async def test_another_region_runs_the_same_software_with_its_own_setting() -> None:
    database, clock = FakeDatabase(), Clock()
    registry = start_registry(database, clock, served_provinces="UT, Noord-Holland")
    for number, place in (("1", "Zwolle"), ("2", "Amersfoort"), ("3", "Haarlem")):
        obs = observation(f"PSO-{number}", place=place, kvk=(f"0600000{number}",), website=None)
        await registry.record_label_event(granted(obs))
    assert [e.enterprise.province for e in queued(database)] == ["Utrecht", "Noord-Holland"]


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("SERVED_PROVINCES", "Overijssel, Atlantis", "Atlantis"),
        ("SERVED_PROVINCES", " , ", "province"),
        ("REMINDER_LEAD_DAYS", "60,dertig", "whole days"),
        ("REMINDER_LEAD_DAYS", "0", "whole days"),
        ("GRACE_DAYS", "-1", "IMPACTOOST_GRACE_DAYS: Input should be greater"),
    ],
)
def test_bad_listing_settings_are_clear_errors(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, problem: str
) -> None:
    monkeypatch.setenv(f"IMPACTOOST_{name}", value)
    with pytest.raises(ConfigError, match=problem):
        load_settings(RegistrySettings)


def test_listing_settings_become_the_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMPACTOOST_SERVED_PROVINCES", "gld")
    monkeypatch.setenv("IMPACTOOST_REMINDER_LEAD_DAYS", "7, 60,30,7")
    monkeypatch.setenv("IMPACTOOST_GRACE_DAYS", "14")
    rules = load_settings(RegistrySettings).listing_rules()
    assert rules.served.provinces == ("Gelderland",)
    assert (rules.lead_days, rules.grace_days) == ((60, 30, 7), 14)


NORTH = (("1", "Groningen"), ("2", "Leeuwarden"), ("3", "Assen"))


@pytest.mark.parametrize("word", ["alle", "all", " Alle "])
async def test_a_national_mirror_lists_and_publishes_the_north_under_its_provinces(
    word: str,
) -> None:
    database = FakeDatabase()
    registry = start_registry(database, Clock(), served_provinces=word)
    for number, place in NORTH:
        obs = observation(f"PSO-{number}", place=place, kvk=(f"0600000{number}",), website=None)
        await registry.record_label_event(granted(obs))
    assert [m.subject for m in enterprise_rows(database)] == [
        "impact.v1.enterprises.groningen.groningen.listed",
        "impact.v1.enterprises.fryslan.friesland.listed",
        "impact.v1.enterprises.drenthe.groningen.listed",
    ]
    assert [e.enterprise.municipality for e in queued(database)] == [
        "Groningen",
        "Leeuwarden",
        "Assen",
    ]


async def test_by_default_the_north_is_not_listed_and_a_move_there_delists() -> None:
    database = FakeDatabase()
    registry = start_registry(database, Clock())
    for number, place in NORTH:
        obs = observation(f"PSO-{number}", place=place, kvk=(f"0600000{number}",), website=None)
        await registry.record_label_event(granted(obs))
    assert database.outbox == []
    before = observation("PSO-4", place="Zwolle", kvk=("06000004",), website=None)
    await registry.record_label_event(granted(before))
    after = before.model_copy(update={"place": "Assen"})
    delisted = await registry.record_label_event(changed(after, before, at(1)))
    assert isinstance(delisted, EnterpriseDelisted) and delisted.reason == "outside_region"
    assert (
        enterprise_rows(database)[-1].subject == "impact.v1.enterprises.drenthe.groningen.delisted"
    )


def test_every_province_may_be_named_by_one_word(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMPACTOOST_SERVED_PROVINCES", "alle")
    rules = load_settings(RegistrySettings).listing_rules()
    assert len(rules.served.provinces) == 12
    assert "Fryslân" in rules.served.provinces and "Limburg" in rules.served.provinces
    monkeypatch.delenv("IMPACTOOST_SERVED_PROVINCES")
    assert load_settings(RegistrySettings).listing_rules().served.provinces == (
        "Overijssel",
        "Gelderland",
    )
