"""A local stand-in for the Cedris member list (cedris.nl/leden/), built from data.

Page sets: "A" (25 members, most in Overijssel and Gelderland: leerwerkbedrijven and sociaal
ontwikkelbedrijven that count as the label, plus municipalities and others that do not), "B"
(A with one member gone, one new, one changed kind and one moved to another province section)
and "onderhoud" (a maintenance page without the province sections). Members carry no dates,
so `today` only keeps the interface the same as the other demo registries.
`start_cedris_site()` is what the demo orchestrator and the tests call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from services.demo.sites import cedris_pages
from services.demo.sites.server import DemoSite, RequestRecord, Response

DATA_FILE = Path(__file__).parent / "data" / "cedris_register.json"
MAINTENANCE = "onderhoud"
COUNTING_TYPES = frozenset({"Leerwerkbedrijf", "Sociaal ontwikkelbedrijf"})
# Sections appear in this order (north to south); any other province after them, A to Z.
PROVINCES = (
    "Groningen",
    "Friesland",
    "Drenthe",
    "Overijssel",
    "Flevoland",
    "Gelderland",
    "Utrecht",
    "Noord-Holland",
    "Zuid-Holland",
    "Zeeland",
    "Noord-Brabant",
    "Limburg",
)
ROBOTS_TXT = "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n"


@dataclass(frozen=True)
class Member:
    """One member of the demo list."""

    id: str
    naam: str
    website: str | None
    plaats: str
    type: str
    provincie: str

    @property
    def counts(self) -> bool:
        """Whether a correct scraper should count this member as holding the label."""
        return self.type in COUNTING_TYPES


def member(entry: dict[str, Any]) -> Member:
    """A data entry as a member."""
    return Member(
        id=entry["id"],
        naam=entry["naam"],
        website=entry.get("website"),
        plaats=entry["plaats"],
        type=entry["type"],
        provincie=entry["provincie"],
    )


def load_entries(data_file: Path = DATA_FILE) -> dict[str, list[dict[str, Any]]]:
    """The raw entries of page sets A and B (B derived from A and its changes)."""
    raw = json.loads(data_file.read_text(encoding="utf-8"))
    changes = raw["B"]
    entries_b = [
        {**entry, **changes["updated"].get(entry["id"], {})}
        for entry in raw["A"]
        if entry["id"] not in changes["removed"]
    ] + list(changes["added"])
    return {"A": list(raw["A"]), "B": entries_b}


def by_province(members: list[Member]) -> list[tuple[str, list[Member]]]:
    """Members grouped into province sections in the site's order, each sorted by name."""
    names = {m.provincie for m in members}
    order = [p for p in PROVINCES if p in names] + sorted(names - set(PROVINCES))
    return [
        (province, sorted((m for m in members if m.provincie == province), key=_name_key))
        for province in order
    ]


def _name_key(m: Member) -> tuple[str, str]:
    return (m.naam.casefold(), m.id)


class CedrisSite:
    """The running demo member list: switch page sets with `use`, inspect `requests`."""

    def __init__(
        self,
        state: str = "A",
        port: int = 0,
        today: date | None = None,
        data_file: Path = DATA_FILE,
    ) -> None:
        self.today = today or date.today()
        self._entries = load_entries(data_file)
        self.state = state
        self._site = DemoSite(self._render, port)
        self._site.robots_txt = ROBOTS_TXT
        self.use(state)

    @property
    def base_url(self) -> str:
        """Where the site is served, e.g. `http://127.0.0.1:8123`."""
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

    def entries(self, state: str | None = None) -> list[dict[str, Any]]:
        """The raw entries of a page set (the current one by default)."""
        return [dict(e) for e in self._entries.get(state or self.state, [])]

    def members(self, state: str | None = None) -> list[Member]:
        """The members a page set lists, in data order."""
        return [member(e) for e in self._entries.get(state or self.state, [])]

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

    def _render(self, path: str, query: dict[str, list[str]]) -> Response:
        if path == "/":
            return Response(200, cedris_pages.home())
        if path in ("/leden/", "/leden"):
            if self.state == MAINTENANCE:
                return Response(200, cedris_pages.maintenance())
            return Response(200, cedris_pages.members_page(by_province(self.members())))
        return Response(404, cedris_pages.not_found())


def start_cedris_site(state: str = "A", port: int = 0, today: date | None = None) -> CedrisSite:
    """Start the demo Cedris member list on 127.0.0.1 (`port=0`: any free port); `.stop()` it."""
    return CedrisSite(state=state, port=port, today=today)
