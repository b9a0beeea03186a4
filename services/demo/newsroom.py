"""The demo's local hotspots and what their feeds hold at each step of the timeline.

`data/hotspots.json` describes three invented hotspots: two publish a news feed and an agenda
feed (served by the demo, see sites/hotspot.py), one has no feed and an editor who signs in.
Times are relative to the demo's start, so the agenda always has an item in the past and
coming ones, whenever the demo runs. The steps publish, update and remove news items and
cancel an agenda item; `Newsroom.news` and `agenda` give what a feed holds at a step.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

DATA_FILE = Path(__file__).parent / "data" / "hotspots.json"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NewsFormat = Literal["rss", "atom"]


@dataclass(frozen=True)
class NewsEntry:
    """One news item as its feed publishes it."""

    id: str
    title: str
    html: str
    author: str
    published: datetime
    updated: datetime


@dataclass(frozen=True)
class AgendaEntry:
    """One agenda event (a VEVENT) as its feed publishes it: timed in Dutch local time, or
    all-day; `rrule` repeats it; `cancelled` is STATUS:CANCELLED."""

    uid: str
    title: str
    html: str
    location: str
    starts: datetime | date
    ends: datetime | date
    rrule: str | None = None
    cancelled: bool = False
    sequence: int = 0
    modified: datetime | None = None

    @property
    def all_day(self) -> bool:
        """Whether it carries dates rather than times."""
        return not isinstance(self.starts, datetime)


@dataclass(frozen=True)
class DemoHotspot:
    """One hotspot of the demo: a feed-less one has `news_format` None and editors."""

    slug: str
    name: str
    region: str
    news_format: NewsFormat | None
    website: str | None = None
    editors: tuple[str, ...] = ()
    raw_news: tuple[dict[str, Any], ...] = field(default=(), repr=False)
    raw_agenda: tuple[dict[str, Any], ...] = field(default=(), repr=False)

    @property
    def has_feeds(self) -> bool:
        """Whether the demo serves its feeds."""
        return self.news_format is not None


@dataclass(frozen=True)
class _Change:
    step: int
    hotspot: str
    kind: Literal["nieuws_nieuw", "nieuws_gewijzigd", "nieuws_weg", "agenda_geannuleerd"]
    data: dict[str, Any]


class Newsroom:
    """The hotspots' feeds through the timeline, with times resolved against `start`.

    A step's changes are dated when the step is taken (`record_step`), as a hotspot dates an
    item when it publishes it; until then, at the start plus one minute per step."""

    def __init__(self, start: datetime | None = None, data_file: Path = DATA_FILE) -> None:
        self.start = (start or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        raw = json.loads(data_file.read_text(encoding="utf-8"))
        self.hotspots = tuple(_hotspot(h) for h in raw["hotspots"])
        self._changes = [
            _Change(int(step), c["hotspot"], c["soort"], c)
            for step, changes in raw["stappen"].items()
            for c in changes
        ]
        self._taken: dict[int, datetime] = {0: self.start}
        self._check()

    def hotspot(self, slug: str) -> DemoHotspot:
        """The hotspot with this slug."""
        return next(h for h in self.hotspots if h.slug == slug)

    @property
    def with_feeds(self) -> tuple[DemoHotspot, ...]:
        """The hotspots whose feeds the demo serves."""
        return tuple(h for h in self.hotspots if h.has_feeds)

    def record_step(self, step: int, at: datetime) -> None:
        """Step `step` was taken at `at`: its new and changed items carry that time."""
        self._taken[step] = at.astimezone(UTC).replace(microsecond=0)

    def taken(self, step: int) -> datetime:
        """When `step` was taken (or, before it is, when it would be)."""
        return self._taken.get(step, self.start + timedelta(minutes=step))

    def news(self, slug: str, step: int) -> list[NewsEntry]:
        """The hotspot's news feed at `step`, newest first."""
        hotspot = self.hotspot(slug)
        entries = {
            n["id"]: _news(n, self.start - timedelta(hours=n["uren_geleden"]))
            for n in hotspot.raw_news
        }
        for change in self._changes_of(slug, step):
            when = self.taken(change.step)
            if change.kind == "nieuws_nieuw":
                entries[change.data["bericht"]["id"]] = _news(change.data["bericht"], when)
            elif change.kind == "nieuws_gewijzigd":
                old = entries[change.data["id"]]
                entries[old.id] = replace(
                    old, title=change.data["titel"], html=change.data["html"], updated=when
                )
            elif change.kind == "nieuws_weg":
                entries.pop(change.data["id"])
        return sorted(entries.values(), key=lambda e: e.published, reverse=True)

    def agenda(self, slug: str, step: int) -> list[AgendaEntry]:
        """The hotspot's agenda feed at `step`, in the order of the data."""
        day = self.start.astimezone(AMSTERDAM).date()
        entries = {a["uid"]: _agenda(a, day, self.start) for a in self.hotspot(slug).raw_agenda}
        for change in self._changes_of(slug, step):
            if change.kind == "agenda_geannuleerd":
                old = entries[change.data["uid"]]
                entries[old.uid] = replace(
                    old, cancelled=True, sequence=old.sequence + 1, modified=self.taken(change.step)
                )
        return list(entries.values())

    def expectations(self, step: int) -> list[str]:
        """What a person should see change on /nieuws and /agenda after `step`: the step's own
        changes, and the withdrawal of an item removed one step earlier, which the second read
        of its feed confirms."""
        lines = [c.data["verwacht"] for c in self._changes if c.step == step]
        for change in self._changes:
            if change.kind == "nieuws_weg" and change.step == step - 1:
                title = self._title(change.hotspot, change.data["id"], change.step - 1)
                name = self.hotspot(change.hotspot).name
                lines.append(
                    f"‘{title}’ van {name}, sinds stap {change.step} van de feed, is "
                    "ingetrokken: een tweede lezing bevestigde dat het weg is; het verdwijnt "
                    "van /nieuws"
                )
        return lines

    def _title(self, slug: str, item_id: str, step: int) -> str:
        return next(e.title for e in self.news(slug, step) if e.id == item_id)

    def _changes_of(self, slug: str, step: int) -> list[_Change]:
        return sorted(
            (c for c in self._changes if c.hotspot == slug and c.step <= step),
            key=lambda c: c.step,
        )

    def _check(self) -> None:
        """Every change names a hotspot with feeds, and an item that exists at its step."""
        last = max((c.step for c in self._changes), default=0)
        for change in self._changes:
            if not any(h.slug == change.hotspot and h.has_feeds for h in self.hotspots):
                raise ValueError(f"step {change.step} changes {change.hotspot}, which has no feed")
            if change.step < 1:
                raise ValueError("the start is step 0; changes begin at step 1")
        for step in range(last + 1):  # resolving every step raises on an unknown item
            for hotspot in self.with_feeds:
                self.news(hotspot.slug, step)
                self.agenda(hotspot.slug, step)


def _hotspot(raw: dict[str, Any]) -> DemoHotspot:
    return DemoHotspot(
        slug=raw["slug"],
        name=raw["naam"],
        region=raw["regio"],
        news_format=raw.get("nieuwsformaat"),
        website=raw.get("website"),
        editors=tuple(raw.get("redacteuren", ())),
        raw_news=tuple(raw.get("nieuws", ())),
        raw_agenda=tuple(raw.get("agenda", ())),
    )


def _news(raw: dict[str, Any], published: datetime) -> NewsEntry:
    return NewsEntry(raw["id"], raw["titel"], raw["html"], raw["auteur"], published, published)


def _agenda(raw: dict[str, Any], today: date, start: datetime) -> AgendaEntry:
    """An agenda event `dagen` days from the demo's first day, at `tijd` in Dutch time (the
    wall-clock time stays the same across a change to or from summer time)."""
    day = today + timedelta(days=raw["dagen"])
    starts: datetime | date
    ends: datetime | date
    if raw.get("hele_dag"):
        starts, ends = day, day + timedelta(days=1)  # DTEND of an all-day event is exclusive
    else:
        hour, minute = (int(part) for part in raw["tijd"].split(":"))
        starts = datetime.combine(day, time(hour, minute), tzinfo=AMSTERDAM)
        ends = starts + timedelta(minutes=raw["minuten"])
    return AgendaEntry(
        uid=raw["uid"],
        title=raw["titel"],
        html=raw["html"],
        location=raw["locatie"],
        starts=starts,
        ends=ends,
        rrule=raw.get("herhaling"),
        modified=start - timedelta(days=30),
    )
