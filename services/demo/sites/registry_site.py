"""What the four demo registries share: a running `DemoSite` and the page sets it serves.

A registry site holds named page sets of raw data entries ("A", "B" and any defined later)
plus the "onderhoud" maintenance set, serves one of them at a time, and hands the server's
test knobs (request log, injected failures, robots.txt) through. Subclasses render pages.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from services.demo.sites.server import DemoSite, PostHandler, RequestRecord, Response

MAINTENANCE = "onderhoud"
T = TypeVar("T")


def load_page_sets(data_file: Path, key: str) -> dict[str, list[dict[str, Any]]]:
    """The raw entries of page sets A and B, B derived from A and its changes: entries whose
    `key` is in `removed` dropped, those in `updated` patched, and `added` appended."""
    raw = json.loads(data_file.read_text(encoding="utf-8"))
    changes = raw["B"]
    entries_b = [
        {**entry, **changes["updated"].get(entry[key], {})}
        for entry in raw["A"]
        if entry[key] not in changes["removed"]
    ] + list(changes["added"])
    return {"A": list(raw["A"]), "B": entries_b}


class RegistrySite(ABC):
    """A running demo registry: switch page sets with `use`, inspect `requests`."""

    def __init__(
        self,
        entries: dict[str, list[dict[str, Any]]],
        state: str,
        port: int,
        today: date | None,
        post: PostHandler | None = None,
    ) -> None:
        self.today = today or date.today()
        self._entries = entries
        self._memo: dict[tuple[str, str], Any] = {}
        self.state = state
        self._site = DemoSite(self._render, port, post=post)
        self.use(state)

    @abstractmethod
    def _render(self, path: str, query: dict[str, list[str]]) -> Response:
        """The page for a GET of `path` (robots.txt is the server's)."""

    @property
    def base_url(self) -> str:
        """Where the registry is served, e.g. `http://127.0.0.1:8123`."""
        return self._site.base_url

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request answered so far."""
        return self._site.requests

    @property
    def robots_txt(self) -> str:
        """The robots.txt served now."""
        return self._site.robots_txt

    @robots_txt.setter
    def robots_txt(self, text: str) -> None:
        self._site.robots_txt = text

    def use(self, state: str) -> None:
        """Serve page set `state` from now on ("A", "B", "onderhoud" or one defined later)."""
        if state != MAINTENANCE and state not in self._entries:
            raise ValueError(f"unknown page set {state!r}; known: {sorted(self._entries)}")
        self.state = state
        self._site.touch()

    def define_page_set(self, name: str, entries: list[dict[str, Any]]) -> None:
        """Add a page set from entries shaped like those in the data file."""
        self._entries[name] = [dict(e) for e in entries]
        self._memo.clear()

    def entries(self, state: str | None = None) -> list[dict[str, Any]]:
        """The raw entries of a page set (the current one by default)."""
        return [dict(e) for e in self._page_set(state)]

    def fail_next(
        self, count: int, status: int = 503, retry_after: float | None = None, path: str = "/"
    ) -> None:
        """Answer the next `count` requests for paths under `path` with an error status."""
        self._site.fail_next(count, status, retry_after, path)

    def clear_requests(self) -> None:
        """Forget the request log."""
        self._site.clear_requests()

    def stop(self) -> None:
        """Stop serving."""
        self._site.stop()

    def _memoised(
        self, kind: str, state: str | None, build: Callable[[list[dict[str, Any]]], T]
    ) -> T:
        """What `build` makes of a page set's entries, built once per page set and kind: a
        scaled registry renders thousands of pages from the same entries."""
        key = (kind, state or self.state)
        if key not in self._memo:
            self._memo[key] = build(self._page_set(state))
        result: T = self._memo[key]
        return result

    def _page_set(self, state: str | None = None) -> list[dict[str, Any]]:
        """The raw entries of a page set, not copied (none for maintenance or unknown)."""
        return self._entries.get(state or self.state, [])
