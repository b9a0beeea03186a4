"""The demo's hotspots file: valid by the contract the scraper and gateway check at start-up,
its feeds pointing at the demo's own sites, and one hotspot with an editor and no feed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from contracts.hotspots import read_hotspots
from services.demo.hotspots_file import hotspots_entries, write_hotspots_file
from services.demo.newsroom import Newsroom

pytestmark = pytest.mark.unit


@dataclass(frozen=True)
class Served:
    base_url: str

    @property
    def news_feed(self) -> str:
        return f"{self.base_url}/feed/"

    @property
    def agenda_feed(self) -> str:
        return f"{self.base_url}/agenda.ics"


SITES = {"zwolle": Served("http://127.0.0.1:8201"), "deventer": Served("http://127.0.0.1:8202")}


def test_the_file_names_the_served_feeds_and_the_feedless_hotspots_editor(tmp_path: Path) -> None:
    path = tmp_path / "hotspots.json"
    written = write_hotspots_file(path, Newsroom(), SITES)
    assert read_hotspots(path) == written
    by_slug = {h.slug: h for h in written}
    assert set(by_slug) == {"zwolle", "deventer", "impact024"}
    for slug, site in SITES.items():
        assert (by_slug[slug].news_feed, by_slug[slug].agenda_feed) == (
            site.news_feed,
            site.agenda_feed,
        )
        assert by_slug[slug].website == site.base_url + "/"
    nijmegen = by_slug["impact024"]
    assert not nijmegen.has_feed and nijmegen.editors == ("redactie@impact024.example",)
    assert (by_slug["zwolle"].region, by_slug["deventer"].region, nijmegen.region) == (
        "Regio Zwolle",
        "Stedendriehoek en Noordwest Veluwe",
        "Rijk van Nijmegen",
    )


def test_a_hotspot_with_feeds_but_no_site_serving_them_is_refused() -> None:
    with pytest.raises(ValueError, match="deventer has feeds but no site"):
        hotspots_entries(Newsroom(), {"zwolle": SITES["zwolle"]})
