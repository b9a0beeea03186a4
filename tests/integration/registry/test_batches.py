"""A batch recorded in one transaction ends exactly where the same events recorded one by one
end: also when the identity rules must find holdings saved earlier in the same batch, and
when a holding's KvK number, website or name changes inside it (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlmodel import col

from contracts.labels import LabelEvent
from services.registry.adapters.tables import HoldingKvkRow, OutboxRow
from services.registry.adapters.unit_of_work import FakeDatabase, FakeUnitOfWork, SqlUnitOfWork
from services.registry.enterprise import Enterprise
from services.registry.handlers import record_label_events
from services.registry.regions import Resolution
from tests.unit.registry.factories import TODAY, at, changed, granted, lapsed, observation
from tests.unit.registry.test_merging import ENSCHEDE, HENGELO, member

pytestmark = pytest.mark.integration

PSO = observation("PSO-1", name="Kringloop Twente B.V.", kvk=("06123456",))
CODE = observation(
    "kringloop-twente",
    label="codeso",
    level=None,
    status="geregistreerd",
    name="Kringloop Twente",
    kvk=("06 12 34 56",),
    website=None,
)
MEMBER = member("kringloop", name="Kringloop Twente", website="https://www.kringlooptwente.nl")
NEIGHBOUR = member("de-fietser", name="De Fietser", website="https://defietser.nl", kvk=())
PSO_MOVED = PSO.model_copy(update={"kvk": ("77777777",), "website": "https://elders.nl"})
SAME_NAME = member("de-fietser-2", name="De Fietser B.V.", website=None)
ELSEWHERE = member("de-fietser-3", name="De Fietser", website=None)

SCRIPT: list[tuple[LabelEvent, Resolution | None]] = [
    (granted(PSO), ENSCHEDE),
    (granted(CODE), ENSCHEDE),  # joins PSO-1 by KvK, saved one event earlier
    (granted(MEMBER), ENSCHEDE),  # joins by website
    (granted(NEIGHBOUR), ENSCHEDE),
    (changed(PSO_MOVED, PSO, at(1)), ENSCHEDE),  # PSO-1's KvK and website change
    (granted(SAME_NAME), ENSCHEDE),  # joins De Fietser by name in the same municipality
    (granted(ELSEWHERE), HENGELO),  # same name, other municipality: apart
    (granted(PSO), ENSCHEDE),  # a redelivery inside the batch: nothing
    (lapsed(CODE, at(2)), None),
]


def _outcome(enterprises: dict[str, Enterprise]) -> dict[str, Any]:
    return {
        e.enterprise_id: (
            sorted(e.holdings),
            e.published.model_dump(mode="json") if e.published else None,
            e.next_check_on,
        )
        for e in enterprises.values()
    }


def _stored(engine: Engine, ids: list[str]) -> dict[str, Enterprise]:
    with SqlUnitOfWork(engine) as uow:
        return {i: e for i in ids if (e := uow.enterprises.get(i)) is not None}


def test_one_batch_ends_where_one_event_at_a_time_ends(engine: Engine) -> None:
    one_by_one = FakeDatabase()
    for item in SCRIPT:
        record_label_events([item], lambda: FakeUnitOfWork(one_by_one), TODAY, source="test")
    expected = _outcome(one_by_one.enterprises)
    assert len(expected) == 3  # the Kringloop, De Fietser (with its namesake), Hengelo's

    results = record_label_events(SCRIPT, lambda: SqlUnitOfWork(engine), TODAY, source="test")
    assert not any(isinstance(r, Exception) for r in results)
    assert results[7] is None  # the redelivered event id
    assert _outcome(_stored(engine, list(expected))) == expected
    with engine.connect() as connection:
        kvk = connection.execute(select(HoldingKvkRow.kvk, HoldingKvkRow.holding_id)).all()
        outbox = connection.execute(
            select(OutboxRow.event_id)
            .where(col(OutboxRow.subject).startswith("impact.v1.enterprises."))
            .order_by(OutboxRow.id)
        ).all()
    assert sorted(kvk) == [("06123456", "kringloop-twente"), ("77777777", "PSO-1")]
    assert [row.event_id for row in outbox] == [
        r.event_id for r in results if r is not None and not isinstance(r, Exception)
    ]


def test_a_batch_sees_holdings_committed_by_earlier_batches(engine: Engine) -> None:
    one_by_one = FakeDatabase()
    for item in SCRIPT:
        record_label_events([item], lambda: FakeUnitOfWork(one_by_one), TODAY, source="test")
    expected = _outcome(one_by_one.enterprises)
    for start in range(0, len(SCRIPT), 2):
        batch = SCRIPT[start : start + 2]
        record_label_events(batch, lambda: SqlUnitOfWork(engine), TODAY, source="test")
    assert _outcome(_stored(engine, list(expected))) == expected


def test_a_number_moved_away_in_the_batch_no_longer_joins(engine: Engine) -> None:
    """The database still shows PSO-1 under its old KvK number until the batch commits; a
    newcomer with that number must not join it."""
    newcomer = member("nieuw", name="Nieuwkomer", website="https://nieuw.nl", kvk=("06123456",))
    script = [
        (changed(PSO_MOVED, PSO, at(1)), ENSCHEDE),
        (granted(newcomer), ENSCHEDE),
    ]
    one_by_one = FakeDatabase()
    for item in [(granted(PSO), ENSCHEDE), *script]:
        record_label_events([item], lambda: FakeUnitOfWork(one_by_one), TODAY, source="test")
    expected = _outcome(one_by_one.enterprises)
    assert len(expected) == 2

    record_label_events(
        [(granted(PSO), ENSCHEDE)], lambda: SqlUnitOfWork(engine), TODAY, source="test"
    )
    record_label_events(script, lambda: SqlUnitOfWork(engine), TODAY, source="test")
    assert _outcome(_stored(engine, list(expected))) == expected
