"""The SQL unit of work on SQLite and PostgreSQL: all or nothing, and exactly once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from contracts.enterprises import EnterpriseListed
from services.registry.adapters.database import reading
from services.registry.adapters.tables import (
    EnterpriseRow,
    HoldingRow,
    OutboxRow,
    ProcessedEventRow,
)
from services.registry.adapters.unit_of_work import FakeUnitOfWork, SqlUnitOfWork
from services.registry.enterprise import new_enterprise_id
from services.registry.handlers import record_label_event
from tests.unit.registry.factories import TODAY, at, granted, lapsed, observation

pytestmark = pytest.mark.integration


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            str(table.__tablename__): connection.execute(
                select(func.count()).select_from(table)
            ).scalar_one()
            for table in (EnterpriseRow, HoldingRow, ProcessedEventRow, OutboxRow)
        }


def test_commit_stores_effect_processed_id_and_outbox_row_together(engine: Engine) -> None:
    event = granted(observation())
    outcome = record_label_event(event, SqlUnitOfWork(engine), TODAY, source="test")
    assert isinstance(outcome, EnterpriseListed)
    assert _counts(engine) == {"enterprise": 1, "holding": 1, "processed_event": 1, "outbox": 2}
    with SqlUnitOfWork(engine) as uow:
        assert uow.processed.contains(event.event_id)
        [message, state] = uow.outbox.pending(10)
        assert message.event_id == outcome.event_id
        assert message.subject == "impact.v1.enterprises.onbekend.onbekend.listed"
        assert state.subject.startswith("impact.v1.states.onbekend.onbekend.")
        enterprise = uow.enterprises.get(outcome.enterprise.enterprise_id)
    assert enterprise is not None and enterprise.published == outcome.enterprise
    holding = enterprise.holdings[("pso", "PSO-2024-0153")]
    assert holding.last_event_at == event.occurred_at and holding.observation == event.observation


def test_error_before_commit_rolls_back_every_write(engine: Engine) -> None:
    with pytest.raises(RuntimeError, match="crashed"):
        record_label_event(
            granted(observation()), _CrashingUnitOfWork(engine), TODAY, source="test"
        )
    assert _counts(engine) == {"enterprise": 0, "holding": 0, "processed_event": 0, "outbox": 0}


def test_failing_commit_leaves_neither_effect_nor_processed_id(engine: Engine) -> None:
    event = granted(observation())
    clash = record_label_event(event, FakeUnitOfWork(), TODAY, source="test")
    # the very enterprise event the handler will try to queue
    assert isinstance(clash, EnterpriseListed)
    with SqlUnitOfWork(engine) as uow:
        uow.outbox.add("impact.v1.test", clash, at(0))
        uow.commit()
    with pytest.raises(IntegrityError):
        record_label_event(event, SqlUnitOfWork(engine), TODAY, source="test")
    assert _counts(engine) == {"enterprise": 0, "holding": 0, "processed_event": 0, "outbox": 1}


def test_redelivered_event_id_changes_nothing(engine: Engine) -> None:
    event = granted(observation())
    record_label_event(event, SqlUnitOfWork(engine), TODAY, source="test")
    before = _counts(engine)
    assert record_label_event(event, SqlUnitOfWork(engine), TODAY, source="test") is None
    assert _counts(engine) == before
    with SqlUnitOfWork(engine) as uow:
        assert len(uow.outbox.pending(10)) == 2  # the listing, and it as the state


def test_two_consumers_racing_on_one_event_commit_it_once(engine: Engine) -> None:
    event = granted(observation())

    def record() -> object:
        try:
            return record_label_event(event, SqlUnitOfWork(engine), TODAY, source="test")
        except IntegrityError as exc:  # the loser's message is nacked and redelivered
            return exc

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: record(), range(2)))
    assert sum(isinstance(r, EnterpriseListed) for r in results) == 1
    assert _counts(engine) == {"enterprise": 1, "holding": 1, "processed_event": 1, "outbox": 2}


def test_enterprise_round_trips_with_holdings_and_is_found_by_kvk(engine: Engine) -> None:
    first = observation()
    second = observation("PSO-2025-0001", kvk=("06123456", "61234567"))
    for event in (granted(first), granted(second, at(1)), lapsed(first, at(2))):
        record_label_event(event, SqlUnitOfWork(engine), TODAY, source="test")
    enterprise_id = new_enterprise_id("pso", first.holding_id)
    with SqlUnitOfWork(engine) as uow:
        assert uow.enterprises.enterprise_id_by_kvk(["61234567"]) == enterprise_id
        assert uow.enterprises.enterprise_id_by_kvk(["00000000"]) is None
        enterprise = uow.enterprises.get_by_holding("pso", second.holding_id)
        assert [m.subject.split(".")[2::3] for m in uow.outbox.pending(10)] == [
            ["enterprises", "listed"],
            ["states", enterprise_id],
        ] + [["enterprises", "updated"], ["states", enterprise_id]] * 2
    assert enterprise is not None and enterprise.enterprise_id == enterprise_id
    assert enterprise.version == 3 and enterprise.listed
    assert enterprise.holdings[("pso", first.holding_id)].lapsed_on == at(2).date()
    assert enterprise.kvk() == ("06123456", "61234567")


class _CrashingUnitOfWork(SqlUnitOfWork):
    """Sends every write to the database, then dies instead of committing."""

    def commit(self) -> None:
        self.session.flush()
        raise RuntimeError("crashed before commit")


def test_a_reading_unit_of_work_does_not_wait_for_a_writer(engine: Engine) -> None:
    """The relay looks for pending rows while label events are being committed: on SQLite a
    write lock taken for that read would make the writer sleep in the busy handler."""
    record_label_event(granted(observation()), SqlUnitOfWork(engine), TODAY, source="test")
    with SqlUnitOfWork(engine) as writer:
        writer.processed.claim("held-open", at(1))
        writer.processed.flush()  # the writer now holds the database's write lock
        with ThreadPoolExecutor(1) as pool:
            looked = pool.submit(_pending, SqlUnitOfWork(reading(engine)))
            assert len(looked.result(timeout=5)) == 2
            waiting = pool.submit(_claim, SqlUnitOfWork(engine), "second-writer")
            if engine.dialect.name == "sqlite":  # a second writer does wait
                with pytest.raises(TimeoutError):
                    waiting.result(timeout=0.5)
            writer.commit()
            assert waiting.result(timeout=10) is True


def _pending(uow: SqlUnitOfWork) -> list[object]:
    with uow:
        return list(uow.outbox.pending(10))


def _claim(uow: SqlUnitOfWork, event_id: str) -> bool:
    with uow:
        claimed = uow.processed.claim(event_id, at(2))
        uow.commit()
    return claimed


def test_writers_of_one_process_take_turns_and_every_write_lands(engine: Engine) -> None:
    """On SQLite the process's writers queue on a lock of their own before SQLite's."""
    ids = [f"turn-{n}" for n in range(40)]
    with ThreadPoolExecutor(4) as pool:
        claimed = list(pool.map(lambda i: _claim(SqlUnitOfWork(engine), i), ids))
    assert all(claimed)
    assert _counts(engine)["processed_event"] == len(ids)


def test_a_connection_that_commits_and_begins_again_keeps_writing(engine: Engine) -> None:
    with engine.connect() as connection:
        for n in range(2):
            connection.execute(
                ProcessedEventRow.__table__.insert(),  # type: ignore[attr-defined]
                {"event_id": f"again-{n}", "processed_at": at(n)},
            )
            connection.commit()
    assert _claim(SqlUnitOfWork(engine), "after") is True
    assert _counts(engine)["processed_event"] == 3
