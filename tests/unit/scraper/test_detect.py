"""Change detection: what one successful run means for each holding."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest

from contracts.labels import LabelChanged, LabelGranted, LabelLapsed, Observation
from services.scraper.detect import Detection, HoldingState, detect_changes

pytestmark = pytest.mark.unit
TODAY = date(2025, 6, 1)
NOW = datetime(2025, 6, 1, 4, 0, tzinfo=UTC)


def obs(
    holding_id: str,
    *,
    level: str = "trede-2",
    counts: bool = True,
    valid_until: date | None = date(2026, 6, 1),
    name: str | None = None,
) -> Observation:
    return Observation(
        label="pso",
        holding_id=holding_id,
        name=name or f"Onderneming {holding_id}",
        place="Zwolle",
        kvk=("12345678",),
        level=level,
        status="aspirant" if level == "aspirant" else "gecertificeerd",
        valid_from=date(2024, 6, 1),
        valid_until=valid_until,
        counts=counts,
        source_url="https://pso.test/pso-register/?pagina=1",
    )


def run(
    previous: dict[str, HoldingState],
    current: Sequence[Observation],
    *,
    today: date = TODAY,
    runs_to_lapse: int = 1,
    now: datetime = NOW,
) -> Detection:
    return detect_changes(
        previous, current, today, occurred_at=now, source="test", absent_runs_to_lapse=runs_to_lapse
    )


def kinds(detection: Detection) -> list[tuple[str, str]]:
    return [
        (e.kind, e.observation.holding_id if not isinstance(e, LabelLapsed) else e.holding_id)
        for e in detection.events
    ]


def test_first_sight_of_counting_holdings_grants_them() -> None:
    detection = run({}, [obs("A"), obs("B")])
    assert kinds(detection) == [("granted", "A"), ("granted", "B")]
    assert all(isinstance(e, LabelGranted) and e.source == "test" for e in detection.events)
    assert detection.holdings["A"].episode == 1 and detection.holdings["A"].counting


def test_a_holding_that_does_not_count_is_remembered_but_not_granted() -> None:
    detection = run(
        {},
        [
            obs("ASP", level="aspirant", counts=False),
            obs("OLD", counts=False, valid_until=date(2025, 1, 1)),
        ],
    )
    assert detection.events == []
    assert set(detection.holdings) == {"ASP", "OLD"}
    assert not detection.holdings["ASP"].counting and detection.holdings["ASP"].episode == 0


def test_an_unchanged_run_emits_nothing() -> None:
    first = run({}, [obs("A"), obs("B")])
    second = run(first.holdings, [obs("A"), obs("B")], now=NOW + timedelta(hours=6))
    assert second.events == []
    assert second.holdings == first.holdings


def test_a_level_change_of_a_counting_holding_is_a_change_with_the_previous_facts() -> None:
    first = run({}, [obs("A", level="trede-1")])
    second = run(first.holdings, [obs("A", level="trede-2")])
    assert kinds(second) == [("changed", "A")]
    event = second.events[0]
    assert isinstance(event, LabelChanged)
    assert event.previous.level == "trede-1" and event.observation.level == "trede-2"
    assert second.holdings["A"].episode == 1


def test_a_moved_row_alone_is_not_a_change() -> None:
    first = run({}, [obs("A")])
    moved = obs("A").model_copy(update={"source_url": "https://pso.test/pso-register/?pagina=2"})
    assert run(first.holdings, [moved]).events == []


def test_a_holding_gone_from_the_register_lapses_as_absent() -> None:
    first = run({}, [obs("A"), obs("B")])
    second = run(first.holdings, [obs("A")])
    assert kinds(second) == [("lapsed", "B")]
    lapse = second.events[0]
    assert isinstance(lapse, LabelLapsed)
    assert (lapse.reason, lapse.lapsed_on, lapse.last_observation) == ("absent", TODAY, obs("B"))
    assert not second.holdings["B"].counting


def test_a_certificate_past_its_end_date_lapses_as_expired() -> None:
    first = run({}, [obs("A", valid_until=date(2025, 6, 1))])
    later = date(2025, 6, 2)
    second = run(
        first.holdings, [obs("A", valid_until=date(2025, 6, 1), counts=False)], today=later
    )
    lapse = second.events[0]
    assert isinstance(lapse, LabelLapsed) and lapse.reason == "expired"
    assert lapse.lapsed_on == later


def test_a_holding_downgraded_to_aspirant_lapses_as_not_counting() -> None:
    first = run({}, [obs("A")])
    second = run(first.holdings, [obs("A", level="aspirant", counts=False)])
    lapse = second.events[0]
    assert isinstance(lapse, LabelLapsed) and lapse.reason == "not_counting"


def test_a_lapsed_holding_gone_again_emits_nothing_more() -> None:
    first = run({}, [obs("A"), obs("B")])
    second = run(first.holdings, [obs("A")])
    third = run(second.holdings, [obs("A")])
    assert third.events == []
    assert "B" in third.holdings and third.holdings["B"].episode == 1


def test_a_regrant_after_a_lapse_gets_a_new_event_id() -> None:
    first = run({}, [obs("A")])
    lapsed = run(first.holdings, [])
    again = run(lapsed.holdings, [obs("A")])
    assert kinds(again) == [("granted", "A")]
    assert again.holdings["A"].episode == 2
    assert again.events[0].event_id != first.events[0].event_id
    relapse = run(again.holdings, [])
    assert relapse.events[0].event_id != lapsed.events[0].event_id


def test_the_same_inputs_give_the_same_event_ids() -> None:
    first = run({}, [obs("A"), obs("B")])
    repeat = run({}, [obs("A"), obs("B")], now=NOW + timedelta(days=1))
    assert [e.event_id for e in first.events] == [e.event_id for e in repeat.events]
    changed = run(first.holdings, [obs("A", level="trede-3"), obs("B")])
    changed_again = run(first.holdings, [obs("A", level="trede-3"), obs("B")])
    assert changed.events[0].event_id == changed_again.events[0].event_id
    other = run(first.holdings, [obs("A", level="trede-1"), obs("B")])
    assert other.events[0].event_id != changed.events[0].event_id


def test_event_ids_differ_per_holding_and_kind() -> None:
    first = run({}, [obs("A"), obs("B")])
    lapsed = run(first.holdings, [])
    ids = [e.event_id for e in first.events + lapsed.events]
    assert len(set(ids)) == 4


def test_absence_can_be_tolerated_for_a_number_of_runs() -> None:
    first = run({}, [obs("A"), obs("B")], runs_to_lapse=2)
    once = run(first.holdings, [obs("A")], runs_to_lapse=2)
    assert once.events == [] and once.holdings["B"].counting
    assert once.holdings["B"].absent_runs == 1
    twice = run(once.holdings, [obs("A")], runs_to_lapse=2)
    assert kinds(twice) == [("lapsed", "B")]


def test_a_holding_back_before_lapsing_is_neither_granted_nor_lapsed() -> None:
    first = run({}, [obs("B")], runs_to_lapse=2)
    gone = run(first.holdings, [], runs_to_lapse=2)
    back = run(gone.holdings, [obs("B")], runs_to_lapse=2)
    assert back.events == []
    assert back.holdings["B"].absent_runs == 0 and back.holdings["B"].counting
    assert run(back.holdings, [], runs_to_lapse=2).events == []


def test_events_follow_register_order_then_lapses_by_holding_id() -> None:
    first = run({}, [obs("Z"), obs("M"), obs("C")])
    second = run(first.holdings, [obs("N"), obs("C", level="trede-3")])
    assert kinds(second) == [("granted", "N"), ("changed", "C"), ("lapsed", "M"), ("lapsed", "Z")]


def test_a_duplicate_holding_in_one_run_is_counted_once() -> None:
    detection = run({}, [obs("A"), obs("A", level="trede-3")])
    assert kinds(detection) == [("granted", "A")]
    assert detection.holdings["A"].observation.level == "trede-2"


def test_a_zero_absence_threshold_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        run({}, [], runs_to_lapse=0)


def test_a_change_back_and_forth_gets_a_new_id_each_time() -> None:
    first = run({}, [obs("A")])
    to_b = run(first.holdings, [obs("A", level="trede-3")])
    back = run(to_b.holdings, [obs("A")])
    to_b_again = run(back.holdings, [obs("A", level="trede-3")])
    ids = [d.events[0].event_id for d in (to_b, back, to_b_again)]
    assert [d.events[0].kind for d in (to_b, back, to_b_again)] == ["changed"] * 3
    assert len(set(ids)) == 3
