"""Where the end-to-end latency goes: each event's path split at the services' own log lines.

The latency benchmark sends one event at a time, so the first registry commit logged after a
publish is that event's, and the gateway names the enterprise it recorded. Stages end at:
the registry's commit of the label event; the gateway's commit of the enterprise event (the
relay's publish and the second hop); the benchmark seeing the enterprise in the API (poll
interval and GET). Timestamps are the services' wall clock, the same host's as the benchmark's.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from services.bench.stats import percentile

STAGES = (
    "publish → registry commit",
    "→ gateway commit (relay, second hop)",
    "→ visible to the API client (poll, GET)",
)


@dataclass(frozen=True)
class Trip:
    """One event's trip as the benchmark saw it: wall-clock seconds."""

    enterprise_id: str
    published: float
    visible: float


def stage_timings(repetitions: Sequence[Sequence[Trip]], logs: Path) -> dict[str, list[float]]:
    """Per stage, its median in each repetition the logs account for."""
    timings: dict[str, list[float]] = {name: [] for name in STAGES}
    for trips in repetitions:
        for name, median in stage_medians(trips, logs).items():
            timings[name].append(median)
    return {name: medians for name, medians in timings.items() if medians}


def stage_medians(trips: Sequence[Trip], logs: Path) -> dict[str, float]:
    """Median milliseconds per stage over `trips`, from the registry's and gateway's logs in
    `logs`; trips the logs do not account for are left out (empty when none are)."""
    commits = sorted(_times(_lines(logs / "registry.log"), "label_events_recorded"))
    recorded = {
        line.get("enterprise_id"): _time(line)
        for line in _lines(logs / "gateway.log")
        if line.get("event") == "enterprise_event_recorded"
    }
    spans: list[tuple[float, float, float]] = []
    for trip in trips:
        at = bisect.bisect_left(commits, trip.published)
        gateway = recorded.get(trip.enterprise_id)
        if at == len(commits) or gateway is None:
            continue
        commit = commits[at]
        if not trip.published <= commit <= gateway <= trip.visible:
            continue
        spans.append((commit - trip.published, gateway - commit, trip.visible - gateway))
    if not spans:
        return {}
    return {name: percentile([s[i] * 1000 for s in spans], 0.5) for i, name in enumerate(STAGES)}


def _lines(path: Path) -> Iterable[dict[str, object]]:
    """The JSON lines of a service log; anything else in it (a traceback) is skipped."""
    if not path.exists():
        return
    with path.open(encoding="utf-8", errors="replace") as log:
        for text in log:
            try:
                line = json.loads(text)
            except ValueError:
                continue
            if isinstance(line, dict) and "timestamp" in line:
                yield line


def _times(lines: Iterable[dict[str, object]], event: str) -> list[float]:
    return [_time(line) for line in lines if line.get("event") == event]


def _time(line: dict[str, object]) -> float:
    return datetime.fromisoformat(str(line["timestamp"]).replace("Z", "+00:00")).timestamp()
