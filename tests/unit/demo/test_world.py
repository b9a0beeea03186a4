"""The demo world: a believable population, and a timeline whose steps do what they say."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.demo.contacts import contact_rows, demo_contacts
from services.demo.sites.pso import load_entries
from services.demo.timeline import Timeline
from services.demo.world import Holding, World, kvk_numbers

pytestmark = pytest.mark.unit
TODAY = date(2026, 3, 1)


@pytest.fixture(scope="module")
def world() -> World:
    return World(TODAY)


def _by_id(world: World, step: int) -> dict[tuple[str, str], Holding]:
    return {(h.label, h.holding_id): h for h in world.holdings(step)}


def test_the_world_has_dozens_of_enterprises_in_overijssel_and_gelderland(world: World) -> None:
    assert len(world.enterprises) >= 60
    assert {e.province for e in world.enterprises} == {"Overijssel", "Gelderland"}
    addresses = [e.email for e in world.enterprises if e.email]
    assert all(a.endswith(".example") for a in addresses)
    assert len(addresses) < len(world.enterprises), "some enterprises have no address"


def test_registries_with_statuses_list_counting_and_non_counting_holdings(world: World) -> None:
    for label in ("pso", "codeso", "cedris"):  # every listed SENL member counts
        counts = {h.counts for h in world.holdings(0) if h.label == label}
        assert counts == {True, False}, label


def test_enterprises_share_kvk_numbers_across_labels_or_are_known_by_name_and_website(
    world: World,
) -> None:
    labels_per_kvk: dict[str, set[str]] = {}
    for holding in world.holdings(0):
        for number in holding.kvk:
            labels_per_kvk.setdefault(number, set()).add(holding.label)
    assert sum(1 for labels in labels_per_kvk.values() if len(labels) > 1) >= 5
    nameless = [h for h in world.holdings(0) if h.counts and not h.kvk and h.website]
    assert {h.label for h in nameless} == {"senl", "cedris"}


def test_published_kvk_fields_name_only_the_enterprises_own_numbers(world: World) -> None:
    for holding in world.holdings(world.last_step):
        assert set(holding.kvk) <= set(world.enterprise(holding.enterprise).kvk), holding


def test_each_step_changes_exactly_one_holding(world: World) -> None:
    for step in range(1, world.last_step + 1):
        before, after = _by_id(world, step - 1), _by_id(world, step)
        changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
        assert len(changed) == 1, (step, changed)


def test_a_renewed_certificate_keeps_its_number_and_moves_its_dates(world: World) -> None:
    (renewed,) = [h for h in world.holdings(1) if h.label == "pso" and h.valid_from == TODAY]
    before = _by_id(world, 0)[("pso", renewed.holding_id)]
    assert before.counts and renewed.counts
    assert before.valid_until is not None and renewed.valid_until is not None
    assert renewed.valid_until > before.valid_until


def test_the_lapsing_certificate_expires_and_its_enterprise_holds_nothing_else(
    world: World,
) -> None:
    before, after = _by_id(world, 1), _by_id(world, 2)
    (key,) = [k for k, h in after.items() if before[k].counts and not h.counts]
    lapsed = after[key]
    assert lapsed.valid_until is not None and lapsed.valid_until < TODAY
    others = [h for h in world.holdings(2) if h.enterprise == lapsed.enterprise and h != lapsed]
    assert others == []


def test_later_steps_grant_a_code_registration_a_new_member_and_a_recognised_member(
    world: World,
) -> None:
    granted = []
    for step in (3, 4, 5):
        before, after = _by_id(world, step - 1), _by_id(world, step)
        (key,) = [
            k for k, h in after.items() if h.counts and not (k in before and before[k].counts)
        ]
        granted.append((key[0], key in before))
    assert granted == [("codeso", True), ("senl", False), ("cedris", True)]


def test_advancing_past_the_last_step_changes_nothing(world: World) -> None:
    sites = {label: FakeSite() for label in world.labels}
    timeline = Timeline(world, sites)
    assert all(site.using == "stap-0" for site in sites.values())
    titles = [step.title for step in iter(timeline.advance, None)]
    assert titles == [step.title for step in world.steps[1:]]
    assert timeline.advance() is None
    assert timeline.step == world.last_step
    assert sites["pso"].page_sets[f"stap-{world.last_step}"] == world.entries(
        "pso", world.last_step
    )


def test_the_contacts_cover_every_kvk_of_the_pso_sites_own_page_sets() -> None:
    contacts = demo_contacts(TODAY)
    published = {
        number
        for entries in load_entries().values()
        for entry in entries
        for number in kvk_numbers(entry["kvk"])
    }
    assert published <= set(contacts)


def test_enterprises_without_kvk_are_found_by_website(world: World) -> None:
    rows = contact_rows(world)
    by_site = {site for _, site, _ in rows if site}
    nameless = [e for e in world.enterprises if not e.kvk and e.email and e.website]
    assert nameless and all(e.website in by_site for e in nameless)


class FakeSite:
    """Records the page sets a timeline defines and uses."""

    def __init__(self) -> None:
        self.page_sets: dict[str, list[dict[str, Any]]] = {}
        self.using = ""

    def define_page_set(self, name: str, entries: list[dict[str, Any]]) -> None:
        self.page_sets[name] = entries

    def use(self, state: str) -> None:
        assert state in self.page_sets
        self.using = state
