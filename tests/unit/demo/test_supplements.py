"""The demo's completed listings are valid supplements of enterprises the demo world lists,
sent by an address its contacts file trusts."""

from __future__ import annotations

from services.demo.contacts import contact_rows
from services.demo.supplements import demo_supplements, supplement_of
from services.demo.world import World


def test_every_demo_supplement_is_valid_and_names_a_known_enterprise() -> None:
    world = World()
    enterprises = {e.key: e for e in world.enterprises}
    entries = demo_supplements()
    assert len(entries) >= 5
    for entry in entries:
        enterprise = enterprises[entry["key"]]
        supplement = supplement_of(entry)
        assert supplement.description and supplement.categories and supplement.delivery_areas
        assert entry["zoek"] in enterprise.kvk


def test_every_demo_supplement_is_sent_by_an_address_the_contacts_file_lists() -> None:
    addresses = {email for _, _, email in contact_rows(World())}
    assert {entry["door"] for entry in demo_supplements()} <= addresses


def test_the_demo_shows_chosen_categories_beside_derived_ones() -> None:
    chosen = {entry["key"] for entry in demo_supplements()}
    assert 0 < len(chosen) < len(World().enterprises) // 4
