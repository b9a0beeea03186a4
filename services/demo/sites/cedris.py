"""A local stand-in for the Cedris member list (cedris.nl/leden/), built from data.

Page sets: "A" (25 members, most in Overijssel and Gelderland: leerwerkbedrijven and sociaal
ontwikkelbedrijven that count as the label, plus municipalities and others that do not), "B"
(A with one member gone, one new, one changed kind and one moved to another province section)
and "onderhoud" (a maintenance page without the province sections). Members carry no dates,
so `today` only keeps the interface the same as the other demo registries.
`start_cedris_site()` is what the demo orchestrator and the tests call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from services.demo.sites import cedris_pages
from services.demo.sites.registry_site import MAINTENANCE, RegistrySite, load_page_sets
from services.demo.sites.server import Response

DATA_FILE = Path(__file__).parent / "data" / "cedris_register.json"
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
    return load_page_sets(data_file, "id")


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


class CedrisSite(RegistrySite):
    """The running demo member list: switch page sets with `use`, inspect `requests`."""

    def __init__(
        self,
        state: str = "A",
        port: int = 0,
        today: date | None = None,
        data_file: Path = DATA_FILE,
    ) -> None:
        super().__init__(load_entries(data_file), state, port, today)
        self.robots_txt = ROBOTS_TXT

    def members(self, state: str | None = None) -> list[Member]:
        """The members a page set lists, in data order."""
        return [member(e) for e in self._page_set(state)]

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
