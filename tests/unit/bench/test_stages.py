"""The latency's stages, read from the services' log lines around each trip."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.bench.stages import STAGES, Trip, stage_medians, stage_timings

pytestmark = pytest.mark.unit

T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC).timestamp()


def _stamp(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat().replace("+00:00", "Z")


def _log(path: Path, *lines: tuple[str, float, dict[str, str]]) -> None:
    text = [json.dumps({"event": e, "timestamp": _stamp(t), **extra}) for e, t, extra in lines]
    path.write_text("\n".join([*text, "Traceback (most recent call last):"]) + "\n")


def test_each_trip_is_split_at_its_own_commit_and_its_enterprise_s_projection(
    tmp_path: Path,
) -> None:
    _log(
        tmp_path / "registry.log",
        ("label_events_recorded", T0 - 5.000, {}),  # a warm-up event's, before both trips
        ("label_events_recorded", T0 + 0.004, {}),
        ("time_checked", T0 + 0.005, {}),
        ("label_events_recorded", T0 + 1.010, {}),
    )
    _log(
        tmp_path / "gateway.log",
        ("enterprise_event_recorded", T0 + 0.012, {"enterprise_id": "a"}),
        ("enterprise_event_recorded", T0 + 1.016, {"enterprise_id": "b"}),
        ("enterprise_event_recorded", T0 + 2.000, {"enterprise_id": "other"}),
    )
    trips = [Trip("a", T0, T0 + 0.020), Trip("b", T0 + 1.0, T0 + 1.030)]
    medians = stage_medians(trips, tmp_path)
    assert list(medians) == list(STAGES)
    assert [round(v, 3) for v in medians.values()] == [7.0, 7.0, 11.0]


def test_trips_the_logs_do_not_account_for_are_left_out(tmp_path: Path) -> None:
    _log(tmp_path / "registry.log", ("label_events_recorded", T0 + 0.004, {}))
    recorded = ("enterprise_event_recorded", T0 + 0.009, {"enterprise_id": "a"})
    _log(tmp_path / "gateway.log", recorded)
    unseen = Trip("b", T0, T0 + 0.010)
    late = Trip("a", T0 + 0.005, T0 + 0.010)  # no commit after its publish
    assert stage_medians([unseen, late], tmp_path) == {}
    assert stage_timings([[unseen], [Trip("a", T0, T0 + 0.010)]], tmp_path) == {
        STAGES[0]: [pytest.approx(4.0, abs=0.01)],
        STAGES[1]: [pytest.approx(5.0, abs=0.01)],
        STAGES[2]: [pytest.approx(1.0, abs=0.01)],
    }
    assert stage_medians([Trip("a", T0, T0 + 0.010)], tmp_path / "no-logs-here") == {}
