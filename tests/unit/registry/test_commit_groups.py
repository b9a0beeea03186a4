"""Group commit: the events fetched together are committed in one transaction, in stream
order; one event that cannot be recorded fails alone."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from contracts.labels import LabelEvent
from services.registry.adapters.unit_of_work import FakeDatabase, FakeUnitOfWork
from services.registry.commit_groups import CommitGroups
from services.registry.domain import Enterprise
from services.registry.handlers import record_label_events
from tests.unit.registry.factories import TODAY, at, granted, observation

pytestmark = pytest.mark.unit


async def test_items_submitted_together_are_committed_once_in_their_order() -> None:
    commits: list[list[str]] = []

    def commit(items: Sequence[str]) -> list[str | Exception]:
        commits.append(list(items))
        return [ValueError(item) if item == "bad" else item.upper() for item in items]

    groups: CommitGroups[str, str] = CommitGroups(commit)
    results = await asyncio.gather(
        groups.submit("c", 3),
        groups.submit("a", 1),
        groups.submit("bad", 2),
        return_exceptions=True,
    )
    assert commits == [["a", "bad", "c"]]
    assert results[0] == "C" and results[1] == "A"
    assert isinstance(results[2], ValueError)


async def test_items_arriving_during_a_commit_form_the_next_group() -> None:
    commits: list[list[int]] = []

    def commit(items: Sequence[int]) -> list[int | Exception]:
        commits.append(list(items))
        return list(items)

    groups: CommitGroups[int, int] = CommitGroups(commit)
    first = asyncio.create_task(groups.submit(1, 1))
    await asyncio.sleep(0.01)
    later = [asyncio.create_task(groups.submit(n, n)) for n in (3, 2)]
    assert await asyncio.gather(first, *later) == [1, 3, 2]
    assert commits in ([[1], [2, 3]], [[1, 2, 3]])


class FailingOn(FakeUnitOfWork):
    """A unit of work whose saves of one enterprise fail, as a database error would."""

    def __init__(self, database: FakeDatabase, holding_id: str) -> None:
        self.holding_id = holding_id
        super().__init__(database)

    def _start(self) -> None:
        super()._start()
        save = self.enterprises.save

        def failing_save(enterprise: Enterprise, when: object) -> None:
            if ("pso", self.holding_id) in enterprise.holdings:
                raise RuntimeError("disk full")
            save(enterprise, when)  # type: ignore[arg-type]

        self.enterprises.save = failing_save  # type: ignore[method-assign]


def test_one_event_that_fails_leaves_the_others_of_its_batch_recorded() -> None:
    database = FakeDatabase()
    events: list[LabelEvent] = [
        granted(observation(f"PSO-{n}", kvk=(f"0700000{n}",), website=None), at(n))
        for n in range(1, 4)
    ]
    results = record_label_events(
        [(event, None) for event in events],
        lambda: FailingOn(database, "PSO-2"),
        TODAY,
        source="test",
    )
    assert [type(r).__name__ for r in results] == [
        "EnterpriseListed",
        "RuntimeError",
        "EnterpriseListed",
    ]
    assert database.processed == {events[0].event_id, events[2].event_id}
    assert len(database.outbox) == 2


def test_a_batch_commits_once() -> None:
    database = FakeDatabase()
    units: list[FakeUnitOfWork] = []

    def unit() -> FakeUnitOfWork:
        units.append(FakeUnitOfWork(database))
        return units[-1]

    events = [granted(observation(f"PSO-{n}", kvk=(f"0700000{n}",)), at(n)) for n in (1, 2)]
    record_label_events([(e, None) for e in events], unit, TODAY, source="test")
    assert [u.commits for u in units] == [1]
    assert len(database.outbox) == 2
