"""The read model projection: newest version wins, every event counts once, delisting hides."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from contracts.enterprises import EnterpriseEvent
from services.gateway import handlers
from services.gateway.handlers import (
    record_enterprise_event,
    record_enterprise_events,
    record_scrape_event,
)
from services.gateway.read_model import projection
from services.gateway.read_model.database import create_tables, make_engine
from services.gateway.read_model.projection import Position
from services.gateway.read_model.queries import (
    SearchQuery,
    count_processed,
    get_enterprise,
    list_sources,
    search_enterprises,
)
from services.gateway.read_model.tables import EnterpriseRow, HoldingRow, StreamPosition
from tests.unit.gateway.events import (
    VERIFIED,
    delisted,
    holding,
    in_grace,
    listed,
    moved_away,
    recertification_due,
    scrape_completed,
    scrape_failed,
    updated,
)

pytestmark = pytest.mark.unit


def _session_count(engine: Engine) -> int:
    with Session(engine) as session:
        return count_processed(session)


def _enterprise(engine: Engine, enterprise_id: str = "e1") -> EnterpriseRow | None:
    with Session(engine) as session:
        return session.get(EnterpriseRow, enterprise_id)


def _visible(engine: Engine, enterprise_id: str = "e1") -> bool:
    with Session(engine) as session:
        return get_enterprise(session, enterprise_id) is not None


def test_listed_enterprise_appears_with_its_state(engine: Engine) -> None:
    assert record_enterprise_event(engine, listed(name="Kringloop Twente"))
    with Session(engine) as session:
        view = get_enterprise(session, "e1")
    assert view is not None
    assert view.name == "Kringloop Twente"
    assert [h.label for h in view.labels] == ["pso"]
    assert view.labels[0].level == "trede-3"


def test_newer_version_replaces_state_and_holdings(engine: Engine) -> None:
    record_enterprise_event(engine, listed(version=1))
    record_enterprise_event(
        engine,
        updated(version=2, name="Kringloop Twente BV", labels=(holding("codeso", level=None),)),
    )
    with Session(engine) as session:
        view = get_enterprise(session, "e1")
    assert view is not None
    assert view.name == "Kringloop Twente BV"
    assert [h.label for h in view.labels] == ["codeso"]


def test_older_version_arriving_late_is_ignored(engine: Engine) -> None:
    record_enterprise_event(engine, updated(version=3, name="Nieuwste naam"))
    assert not record_enterprise_event(engine, updated(version=2, name="Oude naam"))
    assert not record_enterprise_event(engine, listed(version=1, name="Oudste naam"))
    row = _enterprise(engine)
    assert row is not None
    assert (row.name, row.version) == ("Nieuwste naam", 3)


def test_same_version_with_another_event_id_changes_nothing(engine: Engine) -> None:
    record_enterprise_event(engine, listed(version=1, name="Eerste"))
    again = listed(version=1, name="Anders").model_copy(update={"event_id": "f" * 32})
    assert not record_enterprise_event(engine, again)
    row = _enterprise(engine)
    assert row is not None and row.name == "Eerste"


def test_redelivered_event_is_recorded_once(engine: Engine) -> None:
    event = listed()
    assert record_enterprise_event(engine, event, Position("ENTERPRISES", 1))
    assert not record_enterprise_event(engine, event, Position("ENTERPRISES", 1))
    assert _session_count(engine) == 1


def test_delisted_enterprise_stays_stored_but_is_hidden(engine: Engine) -> None:
    record_enterprise_event(engine, listed(version=1))
    record_enterprise_event(engine, delisted(version=2))
    row = _enterprise(engine)
    assert row is not None and row.listed is False
    assert not _visible(engine)
    with Session(engine) as session:
        assert search_enterprises(session, SearchQuery()).total == 0


def test_delisting_overtaken_by_a_relisting_keeps_the_enterprise_listed(engine: Engine) -> None:
    record_enterprise_event(engine, listed(version=3))
    record_enterprise_event(engine, delisted(version=2))
    assert _visible(engine)


def test_enterprise_listed_again_after_delisting_is_visible(engine: Engine) -> None:
    for event in (listed(version=1), delisted(version=2), listed(version=3)):
        record_enterprise_event(engine, event)
    assert _visible(engine)


def test_delisting_because_the_place_left_the_region_hides_the_enterprise(
    engine: Engine,
) -> None:
    record_enterprise_event(engine, listed(version=1))
    assert record_enterprise_event(engine, moved_away(version=2, place="Utrecht"))
    row = _enterprise(engine)
    assert row is not None and (row.listed, row.place, row.version) == (False, "Utrecht", 2)
    assert not _visible(engine)
    with Session(engine) as session:
        assert search_enterprises(session, SearchQuery(q="utrecht")).total == 0


def test_recertification_reminder_is_recorded_as_processed_but_changes_no_state(
    engine: Engine,
) -> None:
    record_enterprise_event(engine, listed(version=1), Position("ENTERPRISES", 1))
    reminder = recertification_due(version=1, name="Niet overnemen", labels=())
    assert not record_enterprise_event(engine, reminder, Position("ENTERPRISES", 2))
    assert not record_enterprise_event(engine, reminder, Position("ENTERPRISES", 2))
    row = _enterprise(engine)
    assert row is not None and (row.name, row.version, row.listed) == ("Kringloop Twente", 1, True)
    with Session(engine) as session:
        view = get_enterprise(session, "e1")
        positions = {p.stream: p.last_seq for p in session.exec(select(StreamPosition))}
    assert view is not None and [h.label for h in view.labels] == ["pso"]
    assert _session_count(engine) == 2
    assert positions == {"ENTERPRISES": 2}


def test_recertification_reminder_for_an_unknown_enterprise_creates_nothing(
    engine: Engine,
) -> None:
    assert not record_enterprise_event(engine, recertification_due("nieuw", version=4))
    assert _enterprise(engine, "nieuw") is None
    assert _session_count(engine) == 1


def test_grace_period_is_stored_for_the_enterprise_and_its_lapsed_holding(
    engine: Engine,
) -> None:
    record_enterprise_event(engine, listed(version=1))
    grace = updated(version=2, grace_until=date(2026, 4, 11), labels=(in_grace(date(2026, 4, 11)),))
    assert record_enterprise_event(engine, grace)
    with Session(engine) as session:
        view = get_enterprise(session, "e1")
        stored = session.exec(select(HoldingRow)).one()
    assert view is not None and view.grace_until == date(2026, 4, 11)
    assert [(h.status, h.grace_until) for h in view.labels] == [("verlopen", date(2026, 4, 11))]
    assert stored.grace_until == date(2026, 4, 11)
    record_enterprise_event(engine, updated(version=3, labels=(holding(),)))
    with Session(engine) as session:
        renewed = get_enterprise(session, "e1")
    assert renewed is not None and renewed.grace_until is None
    assert renewed.labels[0].grace_until is None


def test_holdings_that_do_not_count_are_not_shown(engine: Engine) -> None:
    labels = (holding("codeso", level=None), holding("pso", level="aspirant", counts=False))
    record_enterprise_event(engine, listed(labels=labels))
    with Session(engine) as session:
        view = get_enterprise(session, "e1")
        by_pso = search_enterprises(session, SearchQuery(label=["pso"]))
    assert view is not None and [h.label for h in view.labels] == ["codeso"]
    assert by_pso.total == 0


def test_stream_position_is_stored_and_never_moves_back(engine: Engine) -> None:
    record_enterprise_event(engine, listed("a"), Position("ENTERPRISES", 7))
    record_enterprise_event(engine, listed("b"), Position("ENTERPRISES", 5))
    record_scrape_event(engine, scrape_completed(), Position("SCRAPES", 2))
    with Session(engine) as session:
        positions = {p.stream: p.last_seq for p in session.exec(select(StreamPosition))}
    assert positions == {"ENTERPRISES": 7, "SCRAPES": 2}


def test_failed_effect_records_neither_state_nor_event_id(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def half_done(session: Session, event: EnterpriseEvent) -> bool:
        projection.apply_enterprise_event(session, event)
        raise OSError("disk full")

    monkeypatch.setattr(handlers, "apply_enterprise_event", half_done)
    with pytest.raises(OSError, match="disk full"):
        record_enterprise_event(engine, listed(), Position("ENTERPRISES", 1))
    monkeypatch.undo()
    assert _enterprise(engine) is None
    assert _session_count(engine) == 0
    assert record_enterprise_event(engine, listed(), Position("ENTERPRISES", 1))


def test_latest_scrape_outcomes_are_kept_per_label(engine: Engine) -> None:
    later = VERIFIED + timedelta(days=1)
    record_scrape_event(engine, scrape_completed("pso", later, holdings=130, counting=120))
    assert not record_scrape_event(engine, scrape_completed("pso", VERIFIED, holdings=1))
    record_scrape_event(engine, scrape_failed("pso", VERIFIED, reason="timeout"))
    with Session(engine) as session:
        sources = {s.label: s for s in list_sources(session).items}
    pso = sources["pso"]
    assert (pso.holdings, pso.counting) == (130, 120)
    assert pso.last_success_started_at == later
    assert pso.last_success_at == later + timedelta(minutes=5)
    assert (pso.last_failure_at, pso.last_failure_reason) == (
        VERIFIED + timedelta(minutes=1),
        "timeout",
    )
    assert list(sources) == ["pso", "codeso", "senl", "cedris"]
    assert sources["senl"].last_success_at is None


def test_last_checked_is_the_later_of_verification_and_successful_scrape(engine: Engine) -> None:
    record_enterprise_event(engine, listed())
    with Session(engine) as session:
        before = get_enterprise(session, "e1")
    scraped = datetime(2025, 4, 1, 6, 0, tzinfo=UTC)
    record_scrape_event(engine, scrape_completed("pso", scraped))
    with Session(engine) as session:
        after = get_enterprise(session, "e1")
    assert before is not None and after is not None
    assert before.labels[0].last_checked_at == VERIFIED
    assert after.labels[0].last_checked_at == scraped + timedelta(minutes=5)
    assert after.labels[0].last_verified_at == VERIFIED


def _model(engine: Engine) -> tuple[object, ...]:
    """Everything the read model holds that events decide."""
    with Session(engine) as session:
        enterprises = [
            (e.enterprise_id, e.version, e.listed, e.name, e.search_text, e.counting_labels)
            for e in session.exec(select(EnterpriseRow).order_by(EnterpriseRow.enterprise_id))
        ]
        rows = session.exec(select(HoldingRow))
        holdings = sorted((h.enterprise_id, h.label, h.holding_id, h.status) for h in rows)
        positions = sorted((p.stream, p.last_seq) for p in session.exec(select(StreamPosition)))
        return tuple(enterprises), tuple(holdings), tuple(positions), count_processed(session)


BATCH = [
    listed("a", name="Kringloop Oost"),
    updated("b", version=2, name="Fietsen Twee"),  # its version 1 comes later in the batch
    listed("b", name="Fietsen Een"),
    listed("a", name="Kringloop Oost"),  # the same event again
    recertification_due("a"),
    delisted("c", version=3),
    listed("c", version=1),
    moved_away("a", version=2),
]


def test_a_batch_ends_where_the_same_events_one_at_a_time_end(tmp_path: Path) -> None:
    engines = []
    for name in ("batch", "single"):
        engine = make_engine(f"sqlite:///{tmp_path / name}.db")
        create_tables(engine)
        engines.append(engine)
    batched, single = engines
    positions = [Position("ENTERPRISES", seq) for seq in range(1, len(BATCH) + 1)]
    batch = list(zip(BATCH, positions, strict=True))
    results = record_enterprise_events(batched, batch)
    one_by_one = [record_enterprise_event(single, event, at) for event, at in batch]
    assert results == one_by_one == [True, True, False, False, False, True, False, True]
    assert _model(batched) == _model(single)
    assert _model(batched)[2:] == ((("ENTERPRISES", 8),), 7)


def test_one_failing_event_in_a_batch_holds_up_no_other(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = listed("b")

    def apply(session: Session, event: EnterpriseEvent) -> bool:
        if event.event_id == broken.event_id:
            raise OSError("disk full")
        return projection.apply_enterprise_event(session, event)

    monkeypatch.setattr(handlers, "apply_enterprise_event", apply)
    batch = [(listed("a"), None), (broken, None), (listed("c"), None)]
    results = record_enterprise_events(engine, batch)
    assert results[0] is True and results[2] is True
    assert isinstance(results[1], OSError)
    assert [_visible(engine, e) for e in "abc"] == [True, False, True]
    assert _session_count(engine) == 2
