"""`impactoost registry merges` and `split`: an operator undoes a wrong merge for good."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from services.registry.adapters.database import make_engine, prepare_database
from services.registry.adapters.unit_of_work import SqlUnitOfWork
from services.registry.handlers import record_label_event
from tests.integration.registry.test_migrations import impactoost
from tests.unit.registry.factories import TODAY, at, changed, granted, observation

pytestmark = pytest.mark.integration

CERTIFICATE = observation(website="https://www.kringlooptwente.nl/")
MEMBER = observation(
    "kringloop-oost",
    label="senl",
    name="Kringloop Oost",
    kvk=(),
    website="https://kringlooptwente.nl/oost",
    level=None,
    status="lid",
    source_url="https://www.social-enterprise.nl/leden/kringloop-oost",
)


def enterprise_of(engine: Engine, label: str, holding_id: str) -> str | None:
    with SqlUnitOfWork(engine) as uow:
        return uow.enterprises.enterprise_id_of_holding(label, holding_id)


def test_split_command_detaches_the_holding_and_a_rescrape_keeps_it_apart(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    engine = make_engine(url)
    try:
        prepare_database(engine)
        for event in (granted(CERTIFICATE), granted(MEMBER, at(1))):
            record_label_event(event, SqlUnitOfWork(engine), TODAY, source="test")
        merged = enterprise_of(engine, "pso", "PSO-2024-0153")
        listing = impactoost(tmp_path, "registry", "merges", database_url=url)
        assert listing.returncode == 0, listing.stderr
        assert listing.stdout.splitlines() == [
            f"1\t{merged}\tsenl/kringloop-oost\twebsite\tkringlooptwente.nl"
        ]
        done = impactoost(tmp_path, "registry", "split", "1", database_url=url)
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert lines[0] == "split merge 1: senl/kringloop-oost"
        assert lines[1] == f"left {merged}: updated (version 3)"
        assert lines[2].startswith("now ") and lines[2].endswith(": listed (version 1)")
        rescraped = MEMBER.model_copy(update={"name": "Kringloop Oost B.V."})
        record_label_event(
            changed(rescraped, MEMBER, at(26)), SqlUnitOfWork(engine), TODAY, source="test"
        )
        assert enterprise_of(engine, "senl", "kringloop-oost") == lines[2].split()[1][:-1]
        with SqlUnitOfWork(engine) as uow:
            remaining = uow.enterprises.get(merged or "")
            assert remaining is not None and len(remaining.holdings) == 1
    finally:
        engine.dispose()
    again = impactoost(tmp_path, "registry", "merges", database_url=url)
    (line,) = again.stdout.splitlines()
    assert line.startswith(f"1\t{merged}\tsenl/kringloop-oost\twebsite\t")
    assert "\tsplit " in line


def test_split_of_an_unknown_merge_fails_in_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    engine = make_engine(url)
    try:
        prepare_database(engine)
    finally:
        engine.dispose()
    empty = impactoost(tmp_path, "registry", "merges", database_url=url)
    assert empty.stdout.splitlines() == ["no merges"]
    result = impactoost(tmp_path, "registry", "split", "42", database_url=url)
    assert result.returncode != 0
    assert "no merge with id 42" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
