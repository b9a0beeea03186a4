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
from services.demo.sites.registry_site import MAINTENANCE, RegistrySite, load_page_sets
from services.demo.sites.server import Response

DATA_FILE = Path(__file__).parent / "data" / "pso_register.json"


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
    return load_page_sets(data_file, "nummer")


class PsoSite(RegistrySite):
    """The running demo register: switch page sets with `use`, inspect `requests`."""

    def __init__(
        self,
        state: str = "A",
        port: int = 0,
        today: date | None = None,
        page_size: int | None = None,
        data_file: Path = DATA_FILE,
    ) -> None:
        self.page_size = page_size or int(json.loads(data_file.read_text("utf-8"))["page_size"])
        super().__init__(load_entries(data_file), state, port, today)

    def certificates(self, state: str | None = None) -> list[Certificate]:
        """The certificates a page set shows, in register order."""
        return list(self._memoised("certificates", state, self._certificates))

    def _certificates(self, entries: list[dict[str, Any]]) -> list[Certificate]:
        return [certificate(e, self.today) for e in entries]

    def _by_number(self) -> dict[str, Certificate]:
        def index(entries: list[dict[str, Any]]) -> dict[str, Certificate]:
            found: dict[str, Certificate] = {}
            for c in self._certificates(entries):
                found.setdefault(c.number, c)
            return found

        return self._memoised("by_number", None, index)

    def _render(self, path: str, query: dict[str, list[str]]) -> Response:
        if path == "/":
            return Response(200, pso_pages.home())
        if path in ("/pso-register/", "/pso-register"):
            if self.state == MAINTENANCE:
                return Response(200, pso_pages.maintenance())
            return self._register_page(query.get("pagina", ["1"])[0])
        if path.startswith("/pso-register/certificaat/"):
            number = path.rsplit("/", 1)[-1]
            found = self._by_number().get(number)
            if found is not None and self.state != MAINTENANCE:
                return Response(200, pso_pages.certificate_page(found))
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
