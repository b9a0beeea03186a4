"""A local stand-in for the PSO register (pso-nederland.nl), built from data, not hand-written HTML.

Page sets: "A" (25 certificates in Overijssel and Gelderland), "B" (A with one certificate
gone, one new and one level change) and "onderhoud" (a maintenance page without the table).
Dates are offsets from the site's `today`, so the demo never rots and a given today always
renders the same pages. `start_pso_site()` is what the demo orchestrator and the tests call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from services.demo.sites import pso_pages
from services.demo.sites.server import DemoSite, RequestRecord, Response

DATA_FILE = Path(__file__).parent / "data" / "pso_register.json"
MAINTENANCE = "onderhoud"


@dataclass(frozen=True)
class Certificate:
    """One row of the demo register, with its dates resolved against the site's today."""

    number: str
    organisatie: str
    plaats: str
    kvk: str
    niveau: str
    pso30: bool
    ingang: date
    geldig: date

    def counts(self, today: date) -> bool:
        """Whether a correct scraper should count this certificate on `today`."""
        return self.niveau != "Aspirant" and self.geldig >= today


def two_years_after(start: date) -> date:
    """The same day two years later (29 February becomes 28 February)."""
    try:
        return start.replace(year=start.year + 2)
    except ValueError:
        return start.replace(year=start.year + 2, day=28)


def certificate(entry: dict[str, Any], today: date) -> Certificate:
    """A data entry as a certificate valid for two years from its start date.

    Its number is `PSO-<start year>-<nummer>`, or `certificaat` verbatim when the entry gives
    one (a renewed certificate keeps its number while its dates move)."""
    start = today - timedelta(days=int(entry["ingang_dagen_geleden"]))
    return Certificate(
        number=entry.get("certificaat") or f"PSO-{start.year}-{entry['nummer']}",
        organisatie=entry["organisatie"],
        plaats=entry["plaats"],
        kvk=entry["kvk"],
        niveau=entry["niveau"],
        pso30=bool(entry.get("pso30")),
        ingang=start,
        geldig=two_years_after(start),
    )


def load_entries(data_file: Path = DATA_FILE) -> dict[str, list[dict[str, Any]]]:
    """The raw entries of page sets A and B (B derived from A and its changes)."""
    raw = json.loads(data_file.read_text(encoding="utf-8"))
    changes = raw["B"]
    entries_b = [
        {**entry, **changes["updated"].get(entry["nummer"], {})}
        for entry in raw["A"]
        if entry["nummer"] not in changes["removed"]
    ] + list(changes["added"])
    return {"A": list(raw["A"]), "B": entries_b}


class PsoSite:
    """The running demo register: switch page sets with `use`, inspect `requests`."""

    def __init__(
        self,
        state: str = "A",
        port: int = 0,
        today: date | None = None,
        page_size: int | None = None,
        data_file: Path = DATA_FILE,
    ) -> None:
        self.today = today or date.today()
        self.page_size = page_size or int(json.loads(data_file.read_text("utf-8"))["page_size"])
        self._entries = load_entries(data_file)
        self.state = state
        self._site = DemoSite(self._render, port)
        self.use(state)

    @property
    def base_url(self) -> str:
        """Where the register is served, e.g. `http://127.0.0.1:8123`."""
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

    def certificates(self, state: str | None = None) -> list[Certificate]:
        """The certificates a page set shows, in register order."""
        return [certificate(e, self.today) for e in self._entries.get(state or self.state, [])]

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
            return Response(200, pso_pages.home())
        if path in ("/pso-register/", "/pso-register"):
            if self.state == MAINTENANCE:
                return Response(200, pso_pages.maintenance())
            return self._register_page(query.get("pagina", ["1"])[0])
        if path.startswith("/pso-register/certificaat/"):
            number = path.rsplit("/", 1)[-1]
            found = [c for c in self.certificates() if c.number == number]
            if found and self.state != MAINTENANCE:
                return Response(200, pso_pages.certificate_page(found[0]))
        return Response(404, pso_pages.not_found())

    def _register_page(self, pagina: str) -> Response:
        certificates = self.certificates()
        pages = max(1, -(-len(certificates) // self.page_size))
        if not pagina.isdigit() or not 1 <= int(pagina) <= pages:
            return Response(404, pso_pages.not_found())
        page = int(pagina)
        rows = certificates[(page - 1) * self.page_size : page * self.page_size]
        return Response(200, pso_pages.register_page(rows, page, pages, len(certificates)))


def start_pso_site(state: str = "A", port: int = 0, today: date | None = None) -> PsoSite:
    """Start the demo PSO register on 127.0.0.1 (`port=0`: any free port); `.stop()` it after."""
    return PsoSite(state=state, port=port, today=today)
