"""A local stand-in for Social Enterprise NL's member list (social-enterprise.nl), built from data.

Page sets: "A" (20 members, most in Overijssel and Gelderland), "B" (A with one member gone,
one new and one renamed out of BOOST) and "onderhoud" (a list page without the member
container). Like the real WordPress site, `/wie-doen-het/` shows the first batch and a
load-more button; `POST /wp-admin/admin-ajax.php` answers further batches, checking the action
and a nonce that changes daily, and an empty body after the last. `start_senl_site()` is what
the demo orchestrator and the tests call.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from services.demo.sites import senl_pages
from services.demo.sites.registry_site import MAINTENANCE, RegistrySite, load_page_sets
from services.demo.sites.server import Response

DATA_FILE = Path(__file__).parent / "data" / "senl_register.json"
ACTION = "se_load_members"
AJAX_PATH = "/wp-admin/admin-ajax.php"
MEMBERS_PATH = "/wie-doen-het/"
ROBOTS_TXT = """User-agent: *
Disallow: /wp-admin/
Allow: /wp-admin/admin-ajax.php

Sitemap: {base}/wp-sitemap.xml
"""
_TEXT = "text/html; charset=UTF-8"


@dataclass(frozen=True)
class Member:
    """One member of the demo list, as its profile shows it."""

    slug: str
    naam: str
    plaats: str | None
    website: str | None
    lidmaatschap: str | None
    themas: tuple[str, ...]
    beschrijving: str

    def counts(self) -> bool:
        """Whether a correct scraper should count this member: every listed member does."""
        return self.lidmaatschap in ("Lid", "BOOST-lid", None)


def member(entry: dict[str, Any]) -> Member:
    """A data entry as a member."""
    return Member(
        slug=entry["slug"],
        naam=entry["naam"],
        plaats=entry.get("plaats"),
        website=entry.get("website"),
        lidmaatschap=entry.get("lidmaatschap"),
        themas=tuple(entry.get("themas", ())),
        beschrijving=entry.get("beschrijving", ""),
    )


def _members(entries: list[dict[str, Any]]) -> list[Member]:
    return [member(e) for e in entries]


def load_entries(data_file: Path = DATA_FILE) -> dict[str, list[dict[str, Any]]]:
    """The raw entries of page sets A and B (B derived from A and its changes)."""
    return load_page_sets(data_file, "slug")


class SenlSite(RegistrySite):
    """The running demo member list: switch page sets with `use`, inspect `requests`.

    `repeat_batches = True` makes the load-more endpoint answer the same batch for every page
    (a broken plugin), for tests that a scraper does not loop forever."""

    def __init__(
        self,
        state: str = "A",
        port: int = 0,
        today: date | None = None,
        batch_size: int | None = None,
        data_file: Path = DATA_FILE,
    ) -> None:
        self.batch_size = batch_size or int(json.loads(data_file.read_text("utf-8"))["page_size"])
        self.repeat_batches = False
        super().__init__(load_entries(data_file), state, port, today, post=self._post)
        self.robots_txt = ROBOTS_TXT.format(base=self.base_url)

    @property
    def nonce(self) -> str:
        """Today's nonce for the load-more action (WordPress nonces change daily too)."""
        seed = f"{ACTION}|{self.today.isoformat()}".encode()
        return hashlib.sha256(seed).hexdigest()[:10]

    def members(self, state: str | None = None) -> list[Member]:
        """The members a page set lists, in list order."""
        return list(self._memoised("members", state, _members))

    def _by_slug(self) -> dict[str, Member]:
        def index(entries: list[dict[str, Any]]) -> dict[str, Member]:
            found: dict[str, Member] = {}
            for m in _members(entries):
                found.setdefault(m.slug, m)
            return found

        return self._memoised("by_slug", None, index)

    def _batch(self, page: int) -> list[Member]:
        size = self.batch_size
        return self.members()[(page - 1) * size : page * size]

    def _render(self, path: str, query: dict[str, list[str]]) -> Response:
        if path == "/":
            return Response(200, senl_pages.home())
        if path in (MEMBERS_PATH, MEMBERS_PATH.rstrip("/")):
            if self.state == MAINTENANCE:
                return Response(200, senl_pages.maintenance())
            page = senl_pages.members_page(self._batch(1), ACTION, 2, self.nonce)
            return Response(200, page)
        if path.startswith(MEMBERS_PATH) and self.state != MAINTENANCE:
            slug = path.removeprefix(MEMBERS_PATH).strip("/")
            found = self._by_slug().get(slug)
            if found is not None:
                return Response(200, senl_pages.profile_page(found))
        return Response(404, senl_pages.not_found())

    def _post(self, path: str, body: bytes, headers: dict[str, str]) -> Response:
        """admin-ajax.php as WordPress answers it: "0" for an unknown action, "-1" for a bad
        nonce, else the requested batch (empty once the list is exhausted)."""
        if path != AJAX_PATH:
            return Response(405, "Method Not Allowed", "text/plain; charset=utf-8")
        form = parse_qs(body.decode("utf-8", "replace"))
        if form.get("action", [""])[0] != ACTION:
            return Response(400, "0", _TEXT)
        if form.get("nonce", [""])[0] != self.nonce:
            return Response(403, "-1", _TEXT)
        page = form.get("page", [""])[0]
        if not (page.isascii() and page.isdigit()) or self.state == MAINTENANCE:
            return Response(200, "", _TEXT)
        number = 2 if self.repeat_batches else int(page)
        return Response(200, senl_pages.batch(self._batch(number)) if number > 1 else "", _TEXT)


def start_senl_site(state: str = "A", port: int = 0, today: date | None = None) -> SenlSite:
    """Start the demo member list on 127.0.0.1 (`port=0`: any free port); `.stop()` it after."""
    return SenlSite(state=state, port=port, today=today)
