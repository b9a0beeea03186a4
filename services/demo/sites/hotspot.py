"""A local stand-in for a hotspot's website: its news feed (RSS at /feed/ or Atom at
/feed.atom), its agenda feed (/agenda.ics), and the pages the items link to, at one step of
the demo's timeline. The demo server around it adds ETag/Last-Modified/304, gzip and
robots.txt, as for the label registries."""

from __future__ import annotations

import html

from services.demo.newsroom import DemoHotspot, Newsroom
from services.demo.sites.agenda_feed import render_ics
from services.demo.sites.news_feeds import item_link, render_atom, render_rss
from services.demo.sites.server import DemoSite, RequestRecord, Response

RSS_PATH = "/feed/"
ATOM_PATH = "/feed.atom"
AGENDA_PATH = "/agenda.ics"
RSS_TYPE = "application/rss+xml; charset=UTF-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
CALENDAR_TYPE = "text/calendar; charset=utf-8"


class HotspotSite:
    """A running hotspot website serving its feeds at a step; `stop()` it when done."""

    def __init__(self, newsroom: Newsroom, slug: str, step: int = 0, port: int = 0) -> None:
        self.newsroom = newsroom
        self.hotspot: DemoHotspot = newsroom.hotspot(slug)
        if not self.hotspot.has_feeds:
            raise ValueError(f"hotspot {slug} has no feeds to serve")
        self.step = step
        self._site = DemoSite(self.render, port)

    @property
    def base_url(self) -> str:
        """Where the site is served, e.g. `http://127.0.0.1:8123`."""
        return self._site.base_url

    @property
    def news_feed(self) -> str:
        """The address of its news feed."""
        return self.base_url + (RSS_PATH if self.hotspot.news_format == "rss" else ATOM_PATH)

    @property
    def agenda_feed(self) -> str:
        """The address of its agenda feed."""
        return self.base_url + AGENDA_PATH

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request answered so far."""
        return self._site.requests

    def use(self, step: int) -> None:
        """Serve the feeds as they stand at `step` from now on."""
        self.step = step
        self._site.touch()

    def stop(self) -> None:
        """Stop serving."""
        self._site.stop()

    def render(self, path: str, query: dict[str, list[str]]) -> Response:
        """The document for a GET of `path` at the current step."""
        name, base = self.hotspot.name, self.base_url
        if path == RSS_PATH and self.hotspot.news_format == "rss":
            news = self.newsroom.news(self.hotspot.slug, self.step)
            return Response(200, render_rss(name, base, news, self.newsroom.start), RSS_TYPE)
        if path == ATOM_PATH and self.hotspot.news_format == "atom":
            news = self.newsroom.news(self.hotspot.slug, self.step)
            return Response(200, render_atom(name, base, news, self.newsroom.start), ATOM_TYPE)
        if path == AGENDA_PATH:
            agenda = self.newsroom.agenda(self.hotspot.slug, self.step)
            return Response(200, render_ics(name, base, agenda, self.newsroom.start), CALENDAR_TYPE)
        if path == "/":
            return Response(200, self._home())
        item = self._item_page(path)
        return item or Response(404, "<h1>Pagina niet gevonden</h1>")

    def _home(self) -> str:
        name = html.escape(self.hotspot.name)
        kind = "rss" if self.hotspot.news_format == "rss" else "atom"
        return (
            f'<!doctype html><html lang="nl"><head><title>{name}</title>'
            f'<link rel="alternate" type="application/{kind}+xml" href="{self.news_feed}">'
            f"</head><body><h1>{name}</h1><p>Regio {html.escape(self.hotspot.region)}</p>"
            f'<p><a href="{self.news_feed}">Nieuws</a> · '
            f'<a href="{self.agenda_feed}">Agenda (iCal)</a></p></body></html>'
        )

    def _item_page(self, path: str) -> Response | None:
        """The page of a news item or agenda event the feeds link to (any step's)."""
        slug = self.hotspot.slug
        for step in range(self.step, -1, -1):
            for entry in self.newsroom.news(slug, step):
                if item_link(self.base_url, entry) == self.base_url + path:
                    return _article(entry.title, entry.html)
        for event in self.newsroom.agenda(slug, self.step):
            if path == f"/agenda/{event.uid.split('@')[0]}/":
                return _article(html.escape(event.title), event.html)
        return None


def _article(title: str, body: str) -> Response:
    # The hotspot's own page shows its HTML as it is: the platform is what must sanitise it.
    return Response(
        200,
        f'<!doctype html><html lang="nl"><head><title>{title}</title></head>'
        f"<body><article><h1>{title}</h1>{body}</article></body></html>",
    )
