"""Label events as the scraper would publish them, for the registry's tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from contracts.base import deterministic_id
from contracts.labels import LabelChanged, LabelGranted, LabelLapsed, Observation

TODAY = date(2026, 3, 2)
MORNING = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    """A moment `hours` after the first scrape of the tests' day."""
    return MORNING + timedelta(hours=hours)


def observation(holding_id: str = "PSO-2024-0153", **facts: Any) -> Observation:
    """A counting PSO certificate; keyword arguments override its facts."""
    values: dict[str, Any] = {
        "label": "pso",
        "holding_id": holding_id,
        "name": "Kringloop Twente B.V.",
        "place": "Enschede",
        "kvk": ("06123456",),
        "website": "https://kringlooptwente.nl/",
        "level": "trede-3",
        "status": "gecertificeerd",
        "valid_from": date(2024, 3, 12),
        "valid_until": date(2027, 3, 12),
        "counts": True,
        "source_url": f"https://www.pso-nederland.nl/pso-register/certificaat/{holding_id}",
    }
    return Observation(**{**values, **facts})


def granted(obs: Observation, when: datetime = MORNING, episode: int = 1) -> LabelGranted:
    """The scraper saw a counting holding for the first time (in this episode)."""
    event_id = deterministic_id(obs.label, obs.holding_id, "granted", episode, obs.fingerprint())
    return LabelGranted(event_id=event_id, occurred_at=when, source="test", observation=obs)


def changed(
    obs: Observation, previous: Observation, when: datetime, episode: int = 1
) -> LabelChanged:
    """The scraper saw a counting holding's facts change."""
    event_id = deterministic_id(obs.label, obs.holding_id, "changed", episode, obs.fingerprint())
    return LabelChanged(
        event_id=event_id, occurred_at=when, source="test", observation=obs, previous=previous
    )


def lapsed(
    obs: Observation, when: datetime, episode: int = 1, reason: str = "absent"
) -> LabelLapsed:
    """The scraper no longer saw the holding (or saw it stop counting)."""
    return LabelLapsed(
        event_id=deterministic_id(obs.label, obs.holding_id, "lapsed", episode),
        occurred_at=when,
        source="test",
        label=obs.label,
        holding_id=obs.holding_id,
        reason=reason,
        lapsed_on=when.date(),
        last_observation=obs,
    )


class Clock:
    """The registry's clock in a test: set it to a day, and it reads that day's morning."""

    def __init__(self, day: date = TODAY) -> None:
        self.now = MORNING
        self.set(day)

    def set(self, day: date) -> None:
        self.now = datetime.combine(day, MORNING.timetz())

    def __call__(self) -> datetime:
        return self.now
