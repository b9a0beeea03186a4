"""The demo's hotspots file (IMPACTOOST_HOTSPOTS_FILE): its hotspots as the operator's file
names them, the feeds pointing at the local sites that serve them. Checked with the same
`contracts.hotspots.parse_hotspots` the scraper and gateway use before it is written."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from contracts.hotspots import Hotspot, parse_hotspots
from services.demo.newsroom import Newsroom
from services.demo.sites.hotspot import HotspotSite


class ServedFeeds(Protocol):
    """Where a hotspot's website and feeds are served (HotspotSite)."""

    @property
    def base_url(self) -> str: ...
    @property
    def news_feed(self) -> str: ...
    @property
    def agenda_feed(self) -> str: ...


def hotspots_entries(newsroom: Newsroom, sites: Mapping[str, ServedFeeds]) -> list[dict[str, Any]]:
    """The file's entries: a served hotspot's website and feeds are its local site's."""
    entries: list[dict[str, Any]] = []
    for hotspot in newsroom.hotspots:
        entry: dict[str, Any] = {
            "slug": hotspot.slug,
            "name": hotspot.name,
            "region": hotspot.region,
        }
        site = sites.get(hotspot.slug)
        if site is not None:
            entry |= {
                "website": site.base_url + "/",
                "news_feed": site.news_feed,
                "agenda_feed": site.agenda_feed,
            }
        elif hotspot.has_feeds:
            raise ValueError(f"hotspot {hotspot.slug} has feeds but no site serves them")
        else:
            entry["website"] = hotspot.website
        if hotspot.editors:
            entry["editors"] = list(hotspot.editors)
        entries.append(entry)
    return entries


def write_hotspots_file(
    path: Path, newsroom: Newsroom, sites: Mapping[str, ServedFeeds]
) -> tuple[Hotspot, ...]:
    """Write the file the scraper and gateway read; the hotspots it describes."""
    text = json.dumps(hotspots_entries(newsroom, sites), ensure_ascii=False, indent=2) + "\n"
    hotspots = parse_hotspots(text, origin=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return hotspots


def serve_hotspots(newsroom: Newsroom, sites: dict[str, HotspotSite], path: Path) -> None:
    """Start a website for every hotspot with feeds into `sites` (the caller stops them) and
    write the hotspots file at `path` pointing at them."""
    for hotspot in newsroom.with_feeds:
        sites[hotspot.slug] = HotspotSite(newsroom, hotspot.slug)
    write_hotspots_file(path, newsroom, sites)
