"""`impactoost registry unresolved`: the holdings whose place an operator must look at."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.registry.adapters.database import make_engine, prepare_database
from services.registry.adapters.unit_of_work import SqlUnitOfWork
from services.registry.handlers import record_label_event
from services.registry.regions import Resolution, municipality_by_code
from tests.integration.registry.test_migrations import impactoost
from tests.unit.registry.factories import TODAY, granted, observation

pytestmark = pytest.mark.integration


def test_unresolved_lists_the_holding_whose_place_is_unknown(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    engine = make_engine(url)
    try:
        prepare_database(engine)
        empty = impactoost(tmp_path, "registry", "unresolved", database_url=url)
        assert empty.returncode == 0, empty.stderr
        assert empty.stdout.splitlines() == ["no unresolved places"]
        hengelo = municipality_by_code("GM0164")
        known = observation("PSO-1", place="Hengelo", kvk=("06000001",))
        lost = observation("PSO-2", name="Nergens B.V.", place="Nergenshuizen", kvk=("06000002",))
        for obs, resolution in (
            (known, Resolution("Hengelo", hengelo, "bundled", "bundled data", ())),
            (lost, Resolution.unresolved("Nergenshuizen", "bundled data: no place of that name")),
        ):
            record_label_event(
                granted(obs), SqlUnitOfWork(engine), TODAY, source="test", resolution=resolution
            )
    finally:
        engine.dispose()
    result = impactoost(tmp_path, "registry", "unresolved", database_url=url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["pso\tPSO-2\tNergens B.V.\tNergenshuizen\tunresolved"]
