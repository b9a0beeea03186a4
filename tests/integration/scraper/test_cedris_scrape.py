"""Scraping the demo Cedris member list over real HTTP with the real polite client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from parsel import Selector

from contracts.labels import LabelChanged, LabelLapsed
from contracts.scrapes import ScrapeCompleted, ScrapeFailed
from services.demo.sites.cedris import CedrisSite, start_cedris_site
from services.scraper.config import ScraperSettings
from services.scraper.main import scrape_once
from services.scraper.sources.cedris import CedrisSource
from tests.integration.scraper.helpers import RunnerScraper, local_policy

pytestmark = pytest.mark.integration
POLICY = local_policy(requests_per_second=50)


@pytest.fixture
def site() -> Iterator[CedrisSite]:
    site = start_cedris_site("A")
    yield site
    site.stop()


class Scraper(RunnerScraper):
    """Runs of the real runner against one site, remembering state between runs."""

    def __init__(self, site: CedrisSite, absent_runs_to_lapse: int = 1) -> None:
        super().__init__(site, CedrisSource, POLICY, absent_runs_to_lapse)


def requests_seen(site: CedrisSite) -> list[tuple[str, int, bool]]:
    return [(r.path, r.status, r.conditional) for r in site.requests]


def counting_ids(site: CedrisSite, state: str) -> set[str]:
    return {m.id for m in site.members(state) if m.counts}


async def test_a_first_run_grants_exactly_the_leerwerk_and_ontwikkelbedrijven(
    site: CedrisSite,
) -> None:
    scraper = Scraper(site)
    outcome = await scraper.run()
    assert outcome.ok, outcome.reason
    assert len(counting_ids(site, "A")) == 19 and len(site.members("A")) == 25
    assert scraper.ids("granted") == counting_ids(site, "A")
    assert len(scraper.publisher.published) == 19 + 1
    assert requests_seen(site) == [("/robots.txt", 200, False), ("/leden/", 200, False)]
    assert (outcome.stats.holdings, outcome.stats.counting, outcome.stats.pages_fetched) == (
        25,
        19,
        2,
    )
    assert outcome.warnings == []


async def test_every_member_is_read_as_the_demo_publishes_it(site: CedrisSite) -> None:
    outcome = await Scraper(site).run()
    observations = {o.holding_id: o for o in outcome.observations}
    for member in site.members("A"):
        observation = observations[member.id]
        assert (observation.name, observation.place) == (member.naam, member.plaats)
        assert observation.level == member.type.lower().replace(" ", "-")
        assert observation.counts is member.counts and observation.status == "lid"
        assert observation.source_url == f"{site.base_url}/leden/"
    assert observations["larmo"].website == "https://larmo-werkbedrijf.nl/"
    assert observations["sowerk"].website == "https://sowerk.nl/"
    assert observations["hof-van-salland"].website is None


async def test_an_unchanged_second_run_is_a_single_304(site: CedrisSite) -> None:
    scraper = Scraper(site)
    await scraper.run()
    site.clear_requests()
    outcome = await scraper.run()
    assert outcome.ok and outcome.events == []
    assert requests_seen(site) == [("/robots.txt", 304, True), ("/leden/", 304, True)]
    assert (outcome.stats.pages_fetched, outcome.stats.not_modified) == (0, 2)
    assert outcome.stats.bytes_received == 0 and outcome.stats.holdings == 25
    completed = scraper.publisher.published[-1][1]
    assert isinstance(completed, ScrapeCompleted) and completed.granted == 0


async def test_page_set_b_grants_one_changes_one_lapses_one_and_ignores_a_province_move(
    site: CedrisSite,
) -> None:
    scraper = Scraper(site, absent_runs_to_lapse=1)
    await scraper.run()
    site.use("B")
    outcome = await scraper.run()
    assert outcome.ok
    ids_a, ids_b = {m.id for m in site.members("A")}, {m.id for m in site.members("B")}
    assert scraper.ids("granted") == ids_b - ids_a == {"hof-van-twente-werkt"}
    assert scraper.ids("lapsed") == ids_a - ids_b == {"groen-schoon-tubbergen"}
    assert scraper.ids("changed") == {"vechtdal-werkt"}
    assert len(outcome.events) == 3  # lochems-leerwerkbedrijf moved section: nothing published
    changed = next(e for e in outcome.events if isinstance(e, LabelChanged))
    assert (changed.previous.level, changed.observation.level) == (
        "leerwerkbedrijf",
        "sociaal-ontwikkelbedrijf",
    )
    lapsed = next(e for e in outcome.events if isinstance(e, LabelLapsed))
    assert lapsed.reason == "absent"


async def test_a_member_missing_twice_lapses_only_then_when_two_absences_are_required(
    site: CedrisSite,
) -> None:
    scraper = Scraper(site, absent_runs_to_lapse=2)
    await scraper.run()
    site.use("B")
    first = await scraper.run()
    assert {e.kind for e in first.events} == {"granted", "changed"}
    second = await scraper.run()
    assert [(e.kind, scraper.ids("lapsed")) for e in second.events] == [
        ("lapsed", {"groen-schoon-tubbergen"})
    ]


async def test_a_member_changing_kind_starts_or_stops_counting(site: CedrisSite) -> None:
    scraper = Scraper(site)
    await scraper.run()
    kinds = {"twentewerk": "Overig", "gemeente-hengelo": "Leerwerkbedrijf"}
    site.define_page_set(
        "C", [{**e, "type": kinds.get(e["id"], e["type"])} for e in site.entries("A")]
    )
    site.use("C")
    outcome = await scraper.run()
    assert scraper.ids("granted") == {"gemeente-hengelo"}
    lapsed = [e for e in outcome.events if isinstance(e, LabelLapsed)]
    assert [(e.holding_id, e.reason) for e in lapsed] == [("twentewerk", "not_counting")]


async def test_the_maintenance_page_fails_the_run_and_lapses_nothing(site: CedrisSite) -> None:
    scraper = Scraper(site)
    await scraper.run()
    site.use("onderhoud")
    outcome = await scraper.run()
    assert not outcome.ok and "no section.leden-provincie" in (outcome.reason or "")
    assert [type(e) for _, e in scraper.publisher.published] == [ScrapeFailed]
    site.use("A")
    assert (await scraper.run()).events == []


async def test_server_errors_after_retries_fail_the_run_and_lapse_nothing(
    site: CedrisSite,
) -> None:
    scraper = Scraper(site)
    await scraper.run()
    site.fail_next(3, 503, path="/leden/")
    outcome = await scraper.run()
    assert not outcome.ok and "failed after 3 attempts: HTTP 503" in (outcome.reason or "")
    assert [type(e) for _, e in scraper.publisher.published] == [ScrapeFailed]


async def test_a_dry_run_through_the_service_reads_the_demo_list(
    site: CedrisSite, tmp_path: Path
) -> None:
    settings = ScraperSettings(
        nats_url="nats://127.0.0.1:1", scrape_request_rate=50.0, data_dir=tmp_path
    )
    outcome = await scrape_once(settings, "cedris", base_url=site.base_url, dry_run=True)
    assert outcome.ok and len(outcome.observations) == 25
    assert sum(o.counts for o in outcome.observations) == 19


async def test_the_demo_site_groups_members_by_province_in_a_fixed_order(
    site: CedrisSite,
) -> None:
    async with httpx.AsyncClient(base_url=site.base_url) as http:
        page = await http.get("/leden/")
        again = await http.get("/leden/", headers={"If-None-Match": page.headers["ETag"]})
        missing = [(await http.get(p)).status_code for p in ("/leden/sowerk/", "/nieuws/")]
        robots = (await http.get("/robots.txt")).text
    sections = Selector(text=page.text).css("section.leden-provincie::attr(data-provincie)")
    assert sections.getall() == [
        "Friesland",
        "Drenthe",
        "Overijssel",
        "Gelderland",
        "Utrecht",
        "Zuid-Holland",
        "Noord-Brabant",
        "Limburg",
    ]
    assert (page.status_code, again.status_code, missing) == (200, 304, [404, 404])
    assert "Disallow: /wp-admin/" in robots
    with pytest.raises(ValueError, match="unknown page set"):
        site.use("Z")
