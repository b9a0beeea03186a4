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
from services.demo.sites.server import DemoSite, RequestRecord, Response

DATA_FILE = Path(__file__).parent / "data" / "senl_register.json"
MAINTENANCE = "onderhoud"
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


def load_entries(data_file: Path = DATA_FILE) -> dict[str, list[dict[str, Any]]]:
    """The raw entries of page sets A and B (B derived from A and its changes)."""
    raw = json.loads(data_file.read_text(encoding="utf-8"))
    changes = raw["B"]
    entries_b = [
        {**entry, **changes["updated"].get(entry["slug"], {})}
        for entry in raw["A"]
        if entry["slug"] not in changes["removed"]
    ] + list(changes["added"])
    return {"A": list(raw["A"]), "B": entries_b}


class SenlSite:
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
        self.today = today or date.today()
        self.batch_size = batch_size or int(json.loads(data_file.read_text("utf-8"))["page_size"])
        self.repeat_batches = False
        self._entries = load_entries(data_file)
        self.state = state
        self._site = DemoSite(self._render, port, post=self._post)
        self._site.robots_txt = ROBOTS_TXT.format(base=self._site.base_url)
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

    @property
    def nonce(self) -> str:
        """Today's nonce for the load-more action (WordPress nonces change daily too)."""
        seed = f"{ACTION}|{self.today.isoformat()}".encode()
        return hashlib.sha256(seed).hexdigest()[:10]

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
        """The members a page set lists, in list order."""
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
            found = [m for m in self.members() if m.slug == slug]
            if found:
                return Response(200, senl_pages.profile_page(found[0]))
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
