"""What PDOK answered before, by folded place name: in memory, and optionally in a JSON file.

Only complete answers are kept (an empty one included: "PDOK knows no such place"); failures
never are, so the next lookup asks again. Answers older than `max_age` are asked again too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import structlog

log = structlog.get_logger()
CACHE_VERSION = 1


@dataclass(frozen=True)
class PdokPlace:
    """One woonplaats document of a Locatieserver answer, the fields we use."""

    woonplaats: str
    gemeente: str
    provincie: str
    gemeentecode: str | None = None


@dataclass
class _Answer:
    fetched_at: datetime
    places: tuple[PdokPlace, ...]


@dataclass
class PdokCache:
    """Answers by key; `path` makes them outlive the process."""

    path: Path | None = None
    max_age: timedelta = timedelta(days=90)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    _answers: dict[str, _Answer] = field(default_factory=dict)
    _loaded: bool = False

    @property
    def loaded(self) -> bool:
        """Whether the cache file was read (or there is none to read)."""
        return self._loaded or self.path is None

    def get(self, key: str) -> tuple[PdokPlace, ...] | None:
        """The answer kept for `key`, unless there is none or it is too old."""
        answer = self._answers.get(key)
        if answer is None or self.clock() - answer.fetched_at > self.max_age:
            return None
        return answer.places

    def put(self, key: str, places: tuple[PdokPlace, ...]) -> None:
        """Keep an answer (in memory; `save` writes the file)."""
        self._answers[key] = _Answer(self.clock(), places)

    def load(self) -> None:
        """Read the cache file once; a missing or unreadable file is an empty cache."""
        if self._loaded or self.path is None:
            self._loaded = True
            return
        self._loaded = True
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
            answers = stored["answers"] if stored.get("version") == CACHE_VERSION else {}
            for key, item in answers.items():
                places = tuple(PdokPlace(**place) for place in item["places"])
                self._answers[key] = _Answer(datetime.fromisoformat(item["fetched_at"]), places)
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("pdok_cache_unreadable", path=str(self.path), problem=str(exc))

    def save(self) -> None:
        """Write the cache file atomically; a failure to write is logged, not raised."""
        if self.path is None:
            return
        answers = {
            key: {
                "fetched_at": answer.fetched_at.isoformat(),
                "places": [asdict(place) for place in answer.places],
            }
            for key, answer in sorted(self._answers.items())
        }
        text = json.dumps({"version": CACHE_VERSION, "answers": answers}, ensure_ascii=False)
        partial = self.path.with_name(self.path.name + ".partial")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial.write_text(text, encoding="utf-8")
            partial.replace(self.path)
        except OSError as exc:
            log.warning("pdok_cache_unwritable", path=str(self.path), problem=str(exc))
