"""A local stand-in for the Code Sociale Ondernemingen register, a WordPress + Kadence site.

`/register/` carries the REST settings (endpoint + nonce) and an empty query loop; the cards
come from `POST /wp-json/wp/v2/kadence_query/query`, which checks the `X-WP-Nonce` header as
WordPress does; each card links to a profile page `/register/<slug>/`. Page sets: "A" (20
registrations in Overijssel and Gelderland), "B" (A with one gone, one new, one changed) and
"onderhoud" (a maintenance page without the query loop). Dates are offsets from the site's
`today`; the nonce is derived from `today` and a generation number, so it looks fresh but is
reproducible, and `rotate_nonce()` makes the old one invalid the way a passing nonce tick does.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import threading
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from services.demo.sites import codeso_pages
from services.demo.sites.codeso_pages import ENDPOINT_PATH
from services.demo.sites.registry_site import MAINTENANCE, RegistrySite, load_page_sets
from services.demo.sites.server import Response

DATA_FILE = Path(__file__).parent / "data" / "codeso_register.json"
# The query bodies a site variant accepts: {"ql_id", "paged"} (as label-sources.md says),
# {"ql_id", "page"}, {"ql_id", "query": {"paged"}}, or a form with ql_id and paged.
REQUEST_SHAPES = ("json", "json-page", "json-query", "form")
JSON_TYPE = "application/json; charset=UTF-8"
ROBOTS = """User-agent: *
Allow: /wp-admin/admin-ajax.php
Allow: /wp-json/
Disallow: /wp-admin/
Disallow: /?s=

Sitemap: {base_url}/wp-sitemap.xml
"""


@dataclass(frozen=True)
class Registration:
    """One entry of the demo register, with its dates resolved against the site's today."""

    slug: str
    naam: str
    plaats: str | None
    status: str
    impact: tuple[str, ...]
    samenvatting: str
    kvk: str | None
    website: str | None
    sinds: date | None
    toetsing: tuple[int, int] | None  # (year, month) of the next assessment

    @property
    def valid_until(self) -> date | None:
        """The last day of the month of the next assessment."""
        if self.toetsing is None:
            return None
        year, month = self.toetsing
        return date(year, month, calendar.monthrange(year, month)[1])

    def counts(self, today: date) -> bool:
        """Whether a correct scraper should count this registration on `today`."""
        until = self.valid_until
        return self.status == "Geregistreerd" and (until is None or until >= today)


def months_ahead(today: date, months: int) -> tuple[int, int]:
    """(year, month) of the month `months` after today's month (negative: before)."""
    index = today.year * 12 + today.month - 1 + months
    return index // 12, index % 12 + 1


def registration(entry: dict[str, Any], today: date) -> Registration:
    """A data entry with its offsets turned into dates."""
    since, review = entry.get("sinds_dagen_geleden"), entry.get("toetsing_maanden_vooruit")
    return Registration(
        slug=entry["slug"],
        naam=entry["naam"],
        plaats=entry.get("plaats"),
        status=entry["status"],
        impact=tuple(entry.get("impact", ())),
        samenvatting=entry.get("samenvatting", ""),
        kvk=entry.get("kvk"),
        website=entry.get("website"),
        sinds=None if since is None else today - timedelta(days=int(since)),
        toetsing=None if review is None else months_ahead(today, int(review)),
    )


def load_entries(data_file: Path = DATA_FILE) -> dict[str, list[dict[str, Any]]]:
    """The raw entries of page sets A and B (B derived from A and its changes)."""
    return load_page_sets(data_file, "slug")


class CodesoSite(RegistrySite):
    """The running demo register: switch page sets with `use`, inspect `requests`."""

    def __init__(
        self,
        state: str = "A",
        port: int = 0,
        today: date | None = None,
        page_size: int | None = None,
        data_file: Path = DATA_FILE,
        request_shape: str = "json",
    ) -> None:
        if request_shape not in REQUEST_SHAPES:
            raise ValueError(f"unknown request shape {request_shape!r}; known: {REQUEST_SHAPES}")
        self.request_shape = request_shape
        raw = json.loads(data_file.read_text("utf-8"))
        self.page_size = page_size or int(raw["page_size"])
        self.ql_id = int(raw["ql_id"])
        self._lock = threading.Lock()
        self._generation = 0
        self._rotations: list[int] = []
        super().__init__(load_entries(data_file), state, port, today, post=self._post)
        self.robots_txt = ROBOTS.format(base_url=self.base_url)

    @property
    def nonce(self) -> str:
        """The nonce the register page shows and the REST endpoint accepts now."""
        with self._lock:
            seed = f"codeso-demo:{self.today.isoformat()}:{self._generation}"
        return hashlib.sha256(seed.encode()).hexdigest()[:10]

    def rotate_nonce(self, after_posts: int = 0) -> None:
        """Issue a new nonce now, or after `after_posts` more accepted queries (delayed
        rotations queue up one after the other); the old nonce is refused from then on."""
        with self._lock:
            if after_posts <= 0:
                self._generation += 1
            else:
                self._rotations.append(after_posts)

    def registrations(self, state: str | None = None) -> list[Registration]:
        """The registrations a page set shows, in register order (alphabetical)."""
        return list(self._memoised("registrations", state, self._registrations))

    def _registrations(self, entries: list[dict[str, Any]]) -> list[Registration]:
        found = [registration(e, self.today) for e in entries]
        return sorted(found, key=lambda r: (r.naam.casefold(), r.slug))

    def _by_slug(self) -> dict[str, Registration]:
        def index(entries: list[dict[str, Any]]) -> dict[str, Registration]:
            found: dict[str, Registration] = {}
            for r in self._registrations(entries):
                found.setdefault(r.slug, r)
            return found

        return self._memoised("by_slug", None, index)

    def _render(self, path: str, query: dict[str, list[str]]) -> Response:
        if path == "/":
            return Response(200, codeso_pages.home())
        if path.startswith("/wp-json/"):
            return self._rest_error("rest_no_route", "Geen route gevonden.", 404)
        if path in ("/register/", "/register"):
            if self.state == MAINTENANCE:
                return Response(200, codeso_pages.maintenance())
            return Response(200, codeso_pages.register_page(self.base_url, self.nonce, self.ql_id))
        parts = [p for p in path.split("/") if p]
        if len(parts) == 2 and parts[0] == "register" and self.state != MAINTENANCE:
            found = self._by_slug().get(parts[1])
            if found is not None:
                return Response(200, codeso_pages.profile_page(found))
        return Response(404, codeso_pages.not_found())

    def _post(self, path: str, body: bytes, headers: dict[str, str]) -> Response:
        if path.rstrip("/") != ENDPOINT_PATH or self.state == MAINTENANCE:
            return self._rest_error("rest_no_route", "Geen route gevonden.", 404)
        if headers.get("x-wp-nonce") != self.nonce:
            return self._rest_error("rest_cookie_invalid_nonce", "Cookiecontrole mislukt.", 403)
        try:
            ql_id, paged = self._query_of(body, headers.get("content-type", ""))
        except (ValueError, TypeError, KeyError, AttributeError):
            return self._rest_error("rest_invalid_param", "Ongeldige parameter(s).", 400)
        if ql_id != self.ql_id:
            return self._rest_error("rest_invalid_param", "Onbekende query loop.", 400)
        answer = self._query_page(max(paged, 1))
        self._count_accepted_post()
        return answer

    def _query_of(self, body: bytes, content_type: str) -> tuple[int, int]:
        """(ql_id, page) as this site's request shape carries them. Like WordPress, a page
        key the site does not know is ignored, so such a request gets page 1."""
        if self.request_shape == "form":
            if not content_type.startswith("application/x-www-form-urlencoded"):
                raise ValueError("not a form")
            fields = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            return int(fields["ql_id"]), int(fields.get("paged", 1))
        request = json.loads(body)
        if self.request_shape == "json-page":
            return int(request["ql_id"]), int(request.get("page", 1))
        if self.request_shape == "json-query":
            return int(request["ql_id"]), int(request.get("query", {}).get("paged", 1))
        return int(request["ql_id"]), int(request.get("paged", 1))

    def _query_page(self, page: int) -> Response:
        registrations = self.registrations()
        pages = max(1, -(-len(registrations) // self.page_size))
        cards = registrations[(page - 1) * self.page_size : page * self.page_size]
        body = codeso_pages.query_answer(self.base_url, page, pages, len(registrations), cards)
        return Response(200, body, JSON_TYPE)

    def _count_accepted_post(self) -> None:
        with self._lock:
            if not self._rotations:
                return
            self._rotations[0] -= 1
            if self._rotations[0] <= 0:
                self._rotations.pop(0)
                self._generation += 1

    def _rest_error(self, code: str, message: str, status: int) -> Response:
        return Response(status, codeso_pages.rest_error(code, message, status), JSON_TYPE)


def start_codeso_site(
    state: str = "A", port: int = 0, today: date | None = None, request_shape: str = "json"
) -> CodesoSite:
    """Start the demo register on 127.0.0.1 (`port=0`: any free port); `.stop()` it after.
    `request_shape` picks the one query body the endpoint understands (REQUEST_SHAPES)."""
    return CodesoSite(state=state, port=port, today=today, request_shape=request_shape)
