"""Change detection, pure: what we knew + what one successful run saw -> label events.

Each holding remembers its last observation, whether it counts, its `episode` (how many
times it was granted) and how many changes that episode saw, so granted -> lapsed -> granted
again, or A -> B -> A -> B, gets new event ids, while a run repeated after a crash (state not
yet saved) gives the same ids, which JetStream and the consumers deduplicate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from contracts.base import deterministic_id
from contracts.labels import LabelChanged, LabelEvent, LabelGranted, LabelLapsed, Observation

LapseReason = Literal["absent", "expired", "not_counting"]


class HoldingState(BaseModel):
    """What the scraper remembers about one holding between runs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    observation: Observation
    episode: int = 0
    changes: int = 0
    counting: bool = False
    absent_runs: int = 0


@dataclass(frozen=True)
class Detection:
    """The events one run causes, in publishing order, and the holdings to remember after."""

    events: list[LabelEvent] = field(default_factory=list)
    holdings: dict[str, HoldingState] = field(default_factory=dict)


@dataclass(frozen=True)
class _Context:
    today: date
    occurred_at: datetime
    source: str

    def granted(self, obs: Observation, episode: int) -> LabelGranted:
        return LabelGranted(
            event_id=deterministic_id(
                obs.label, obs.holding_id, "granted", episode, obs.fingerprint()
            ),
            occurred_at=self.occurred_at,
            source=self.source,
            observation=obs,
        )

    def changed(
        self, obs: Observation, previous: Observation, episode: int, change: int
    ) -> LabelChanged:
        return LabelChanged(
            event_id=deterministic_id(
                obs.label, obs.holding_id, "changed", episode, change, obs.fingerprint()
            ),
            occurred_at=self.occurred_at,
            source=self.source,
            observation=obs,
            previous=previous,
        )

    def lapsed(self, obs: Observation, episode: int, reason: LapseReason) -> LabelLapsed:
        return LabelLapsed(
            event_id=deterministic_id(obs.label, obs.holding_id, "lapsed", episode),
            occurred_at=self.occurred_at,
            source=self.source,
            label=obs.label,
            holding_id=obs.holding_id,
            reason=reason,
            lapsed_on=self.today,
            last_observation=obs,
        )


def detect_changes(
    previous: Mapping[str, HoldingState],
    current: Sequence[Observation],
    today: date,
    *,
    occurred_at: datetime,
    source: str,
    absent_runs_to_lapse: int = 1,
) -> Detection:
    """Compare a successful run with what we knew; call it only for runs that did not fail."""
    if absent_runs_to_lapse < 1:
        raise ValueError("absent_runs_to_lapse must be at least 1")
    ctx = _Context(today, occurred_at, source)
    detection = Detection()
    for obs in current:
        if obs.holding_id in detection.holdings:
            continue
        state, event = _seen(previous.get(obs.holding_id), obs, ctx)
        detection.holdings[obs.holding_id] = state
        if event is not None:
            detection.events.append(event)
    for holding_id in sorted(previous.keys() - detection.holdings.keys()):
        state, lapse = _absent(previous[holding_id], absent_runs_to_lapse, ctx)
        detection.holdings[holding_id] = state
        if lapse is not None:
            detection.events.append(lapse)
    return detection


def _seen(
    prev: HoldingState | None, obs: Observation, ctx: _Context
) -> tuple[HoldingState, LabelEvent | None]:
    if prev is None or not prev.counting:
        episode = prev.episode if prev else 0
        if not obs.counts:
            return HoldingState(observation=obs, episode=episode), None
        state = HoldingState(observation=obs, episode=episode + 1, counting=True)
        return state, ctx.granted(obs, state.episode)
    if not obs.counts:
        expired = obs.valid_until is not None and obs.valid_until < ctx.today
        event = ctx.lapsed(obs, prev.episode, "expired" if expired else "not_counting")
        return HoldingState(observation=obs, episode=prev.episode), event
    if obs.fingerprint() == prev.observation.fingerprint():
        return prev.model_copy(update={"observation": obs, "absent_runs": 0}), None
    state = HoldingState(
        observation=obs, episode=prev.episode, changes=prev.changes + 1, counting=True
    )
    return state, ctx.changed(obs, prev.observation, prev.episode, state.changes)


def _absent(
    prev: HoldingState, runs_to_lapse: int, ctx: _Context
) -> tuple[HoldingState, LabelLapsed | None]:
    absent_runs = prev.absent_runs + 1
    if not prev.counting:
        return prev.model_copy(update={"absent_runs": absent_runs}), None
    if absent_runs < runs_to_lapse:
        return prev.model_copy(update={"absent_runs": absent_runs}), None
    state = HoldingState(
        observation=prev.observation, episode=prev.episode, absent_runs=absent_runs
    )
    return state, ctx.lapsed(prev.observation, prev.episode, "absent")
