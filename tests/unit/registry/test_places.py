"""Province and region in enterprise events: the place resolved before the transaction,
stored on the holding, and carried in the public state and the outbox subject."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.enterprises import EnterpriseListed
from services.registry.adapters.publisher import FakePublisher
from services.registry.adapters.unit_of_work import FakeDatabase, FakeUnitOfWork
from services.registry.bootstrap import Registry, bootstrap
from services.registry.config import RegistrySettings
from services.registry.regions import (
    BundledResolver,
    ChainResolver,
    FakeResolver,
    PlaceResolver,
    Resolution,
    municipality_by_code,
)
from tests.unit.registry.factories import MORNING, at, changed, granted, lapsed, observation
from tests.unit.registry.running import enterprise_rows

pytestmark = pytest.mark.unit

HENGELO = municipality_by_code("GM0164")
ARNHEM = municipality_by_code("GM0202")


def _registry(database: FakeDatabase, resolver: PlaceResolver) -> Registry:
    return bootstrap(
        RegistrySettings(pdok_base_url=""),
        uow_factory=lambda: FakeUnitOfWork(database),
        publisher=FakePublisher(),
        clock=lambda: MORNING,
        resolver=resolver,
    )


def _holding(database: FakeDatabase, holding_id: str = "PSO-2024-0153") -> tuple[str | None, ...]:
    [enterprise] = database.enterprises.values()
    holding = enterprise.holdings[("pso", holding_id)]
    return holding.municipality_code, holding.place_status


async def test_hengelo_gives_overijssel_and_twente_in_the_event_and_its_subject() -> None:
    assert HENGELO is not None
    database = FakeDatabase()
    resolver = FakeResolver({"Hengelo": HENGELO})
    registry = _registry(database, resolver)
    listed = await registry.record_label_event(granted(observation(place="Hengelo")))
    assert isinstance(listed, EnterpriseListed)
    state = listed.enterprise
    assert (state.municipality, state.province, state.region) == (
        "Hengelo",
        "Overijssel",
        "Twente",
    )
    assert [m.subject for m in enterprise_rows(database)] == [
        "impact.v1.enterprises.overijssel.twente.listed"
    ]
    assert _holding(database) == ("GM0164", "bundled")
    assert resolver.asked == ["Hengelo"]


async def test_an_unresolved_place_is_onbekend_and_marked_on_the_holding() -> None:
    database = FakeDatabase()
    registry = _registry(database, FakeResolver())
    listed = await registry.record_label_event(granted(observation(place="Nergenshuizen")))
    assert listed is not None
    assert (listed.enterprise.province, listed.enterprise.region) == (None, None)
    assert listed.enterprise.municipality is None
    assert [m.subject for m in enterprise_rows(database)] == [
        "impact.v1.enterprises.onbekend.onbekend.listed"
    ]
    assert _holding(database) == (None, "unresolved")


async def test_an_ambiguous_place_is_onbekend_and_marked_ambiguous() -> None:
    assert HENGELO is not None and ARNHEM is not None
    database = FakeDatabase()
    answer = Resolution("Dubbel", None, "ambiguous", "fake", (HENGELO, ARNHEM))
    registry = _registry(database, FakeResolver({"Dubbel": answer}))
    listed = await registry.record_label_event(granted(observation(place="Dubbel")))
    assert listed is not None and listed.enterprise.province is None
    assert _holding(database) == (None, "ambiguous")


async def test_a_move_to_another_province_is_told_under_both_subjects() -> None:
    assert HENGELO is not None and ARNHEM is not None
    database = FakeDatabase()
    registry = _registry(database, FakeResolver({"Hengelo": HENGELO, "Arnhem": ARNHEM}))
    before = observation(place="Hengelo")
    await registry.record_label_event(granted(before))
    moved = observation(place="Arnhem")
    await registry.record_label_event(changed(moved, before, at(1)))
    assert [m.subject for m in enterprise_rows(database)][-2:] == [
        "impact.v1.enterprises.overijssel.twente.delisted",
        "impact.v1.enterprises.gelderland.midden-gelderland.listed",
    ]


async def test_a_lapse_resolves_nothing_and_keeps_the_place() -> None:
    assert HENGELO is not None
    database = FakeDatabase()
    resolver = FakeResolver({"Hengelo": HENGELO})
    registry = _registry(database, resolver)
    obs = observation(place="Hengelo")
    await registry.record_label_event(granted(obs))
    delisted = await registry.record_label_event(lapsed(obs, at(24)))
    assert delisted is not None and delisted.kind == "delisted"
    assert resolver.asked == ["Hengelo"]
    assert delisted.enterprise.province == "Overijssel"
    assert (
        enterprise_rows(database)[-1].subject == "impact.v1.enterprises.overijssel.twente.delisted"
    )
    assert _holding(database) == ("GM0164", "bundled")


class _Broken(PlaceResolver):
    async def resolve(self, place: str, province: str | None = None) -> Resolution:
        raise RuntimeError("boom")


async def test_a_failing_resolver_leaves_the_place_unresolved() -> None:
    database = FakeDatabase()
    registry = _registry(database, _Broken())
    listed = await registry.record_label_event(granted(observation(place="Hengelo")))
    assert listed is not None and listed.enterprise.province is None
    assert _holding(database) == (None, "unresolved")


async def test_no_place_is_unresolved_without_asking() -> None:
    database = FakeDatabase()
    resolver = FakeResolver()
    registry = _registry(database, resolver)
    await registry.record_label_event(granted(observation(place=None)))
    assert resolver.asked == []
    assert _holding(database) == (None, "unresolved")


async def test_the_resolver_follows_the_pdok_settings(tmp_path: Path) -> None:
    bundled_only = bootstrap(RegistrySettings(data_dir=tmp_path, pdok_base_url=""))
    assert isinstance(bundled_only.resolver, BundledResolver) and bundled_only.http is None
    chained = bootstrap(RegistrySettings(data_dir=tmp_path, pdok_base_url="http://127.0.0.1:9"))
    assert isinstance(chained.resolver, ChainResolver)
    assert chained.settings.pdok_cache_path == tmp_path / "pdok-cache.json"
    await chained.aclose()
    await bundled_only.aclose()
    elsewhere = RegistrySettings(data_dir=tmp_path, pdok_cache_file=tmp_path / "x.json")
    assert elsewhere.pdok_cache_path == tmp_path / "x.json"
