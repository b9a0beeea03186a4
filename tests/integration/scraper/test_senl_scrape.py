"""Scraping the demo Social Enterprise NL member list over real HTTP with the real polite client:
the list page, load-more POSTs to admin-ajax.php, and profiles only for new or changed cards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from contracts.labels import LabelChanged
from contracts.scrapes import ScrapeCompleted, ScrapeFailed
from services.demo.sites.senl import SenlSite, start_senl_site
from services.scraper.config import ScraperSettings
from services.scraper.main import scrape_once
from services.scraper.sources.senl import SenlSource
from tests.integration.scraper.helpers import RunnerScraper, local_policy

pytestmark = pytest.mark.integration
POLICY = local_policy(requests_per_second=200)
LIST = "/wie-doen-het/"
AJAX = "/wp-admin/admin-ajax.php"


@pytest.fixture
def site() -> Iterator[SenlSite]:
    site = start_senl_site("A")
    yield site
    site.stop()


class Scraper(RunnerScraper):
    """Runs of the real runner against one site, remembering state (and cards) between runs."""

    def __init__(self, site: SenlSite, absent_runs_to_lapse: int = 1) -> None:
        super().__init__(site, SenlSource, POLICY, absent_runs_to_lapse)


def requests_seen(site: SenlSite) -> list[tuple[str, str, int, bool]]:
    return [(r.method, r.path, r.status, r.conditional) for r in site.requests]


def profiles_fetched(site: SenlSite) -> list[str]:
    return [r.path for r in site.requests if r.path.startswith(LIST) and r.path != LIST]


async def test_a_first_run_reads_the_list_the_batches_and_every_profile(site: SenlSite) -> None:
    scraper = Scraper(site)
    outcome = await scraper.run()
    assert outcome.ok, outcome.reason
    members = site.members("A")
    assert len(members) == 20 and all(m.counts() for m in members)
    assert scraper.ids("granted") == {m.slug for m in members}
    assert requests_seen(site)[:5] == [
        ("GET", "/robots.txt", 200, False),
        ("GET", LIST, 200, False),
        ("POST", AJAX, 200, False),
        ("POST", AJAX, 200, False),
        ("POST", AJAX, 200, False),
    ]
    assert profiles_fetched(site) == [f"{LIST}{m.slug}/" for m in members]
    assert (outcome.stats.holdings, outcome.stats.counting, outcome.stats.pages_fetched) == (
        20,
        20,
        25,
    )
    assert outcome.warnings == [
        f"{site.base_url}{LIST}boerderij-de-brug/: no membership kind published"
    ]


async def test_every_member_is_read_as_the_demo_publishes_it(site: SenlSite) -> None:
    outcome = await Scraper(site).run()
    observations = {o.holding_id: o for o in outcome.observations}
    levels = {"Lid": "lid", "BOOST-lid": "boost", None: None}
    for member in site.members("A"):
        observation = observations[member.slug]
        assert (observation.name, observation.place) == (member.naam, member.plaats)
        assert observation.level == levels[member.lidmaatschap]
        assert observation.themes == member.themas
        assert (observation.status, observation.counts, observation.kvk) == ("lid", True, ())
        assert observation.source_url == f"{site.base_url}{LIST}{member.slug}/"
    assert observations["de-fietsfabriek-zwolle"].website == "https://defietsfabriek-zwolle.nl/"
    assert observations["codeklas-amsterdam"].website == "https://codeklas.amsterdam/"
    assert observations["groen-doet-goed"].website is None
    assert observations["digitaaldoen"].place is None
    assert observations["koffie-en-kansen"].name == "Koffie & Kansen"


async def test_an_unchanged_second_run_fetches_no_profile_at_all(site: SenlSite) -> None:
    scraper = Scraper(site)
    first = await scraper.run()
    site.clear_requests()
    outcome = await scraper.run()
    assert outcome.ok and outcome.events == []
    assert requests_seen(site) == [
        ("GET", "/robots.txt", 304, True),
        ("GET", LIST, 304, True),
        ("POST", AJAX, 200, False),
        ("POST", AJAX, 200, False),
        ("POST", AJAX, 200, False),
    ]
    assert outcome.observations == first.observations
    assert (outcome.stats.pages_fetched, outcome.stats.not_modified) == (3, 2)
    assert outcome.stats.bytes_received < first.stats.bytes_received / 10
    completed = scraper.publisher.published[-1][1]
    assert isinstance(completed, ScrapeCompleted) and completed.granted == 0


async def test_a_changed_card_fetches_exactly_that_profile(site: SenlSite) -> None:
    scraper = Scraper(site)
    await scraper.run()
    renamed = {"textiel-terug": {"naam": "Textiel Terug Coöperatie U.A.", "plaats": "Almelo"}}
    site.define_page_set("C", [{**e, **renamed.get(e["slug"], {})} for e in site.entries("A")])
    site.use("C")
    site.clear_requests()
    outcome = await scraper.run()
    assert profiles_fetched(site) == [f"{LIST}textiel-terug/"]
    assert scraper.ids("changed") == {"textiel-terug"}
    changed = next(e for e in outcome.events if isinstance(e, LabelChanged))
    assert (changed.observation.name, changed.observation.place) == (
        "Textiel Terug Coöperatie U.A.",
        "Almelo",
    )


async def test_page_set_b_grants_one_changes_one_and_lapses_one(site: SenlSite) -> None:
    scraper = Scraper(site)
    await scraper.run()
    site.use("B")
    site.clear_requests()
    outcome = await scraper.run()
    assert outcome.ok
    slugs_a, slugs_b = ({m.slug for m in site.members(s)} for s in ("A", "B"))
    assert scraper.ids("granted") == slugs_b - slugs_a == {"leerwerkplaats-vechtdal"}
    assert scraper.ids("lapsed") == slugs_a - slugs_b == {"drukkerij-de-kans"}
    assert scraper.ids("changed") == {"naaiatelier-twente"}
    assert sorted(profiles_fetched(site)) == [
        f"{LIST}leerwerkplaats-vechtdal/",
        f"{LIST}naaiatelier-twente/",
    ]
    changed = next(e for e in outcome.events if isinstance(e, LabelChanged))
    assert (changed.previous.level, changed.observation.level) == ("boost", "lid")
    assert changed.observation.name == "Naaiatelier Twente B.V."


async def test_a_load_more_that_repeats_its_batch_fails_the_run_instead_of_looping(
    site: SenlSite,
) -> None:
    scraper = Scraper(site)
    await scraper.run()
    site.repeat_batches = True
    site.clear_requests()
    outcome = await scraper.run()
    assert not outcome.ok and "only repeats members already read" in (outcome.reason or "")
    assert [r.method for r in site.requests].count("POST") == 2
    assert profiles_fetched(site) == []
    assert [type(e) for _, e in scraper.publisher.published] == [ScrapeFailed]


async def test_the_maintenance_page_fails_the_run_and_lapses_nothing(site: SenlSite) -> None:
    scraper = Scraper(site)
    await scraper.run()
    site.use("onderhoud")
    outcome = await scraper.run()
    assert not outcome.ok and "no div#membershipCntr" in (outcome.reason or "")
    assert [type(e) for _, e in scraper.publisher.published] == [ScrapeFailed]
    site.use("A")
    assert (await scraper.run()).events == []


async def test_load_more_errors_after_retries_fail_the_run_and_lapse_nothing(
    site: SenlSite,
) -> None:
    scraper = Scraper(site)
    await scraper.run()
    site.fail_next(3, 503, path=AJAX)
    outcome = await scraper.run()
    assert not outcome.ok and "POST" in (outcome.reason or "")
    assert "failed after 3 attempts: HTTP 503" in (outcome.reason or "")
    assert [type(e) for _, e in scraper.publisher.published] == [ScrapeFailed]


async def test_robots_txt_without_the_admin_ajax_allow_is_obeyed(site: SenlSite) -> None:
    site.robots_txt = "User-agent: *\nDisallow: /wp-admin/\n"
    outcome = await Scraper(site).run()
    assert not outcome.ok and "robots.txt" in (outcome.reason or "")
    assert [r.method for r in site.requests] == ["GET", "GET"]


async def test_a_dry_run_through_the_service_reads_the_demo_list(
    site: SenlSite, tmp_path: Path
) -> None:
    settings = ScraperSettings(
        nats_url="nats://127.0.0.1:1", scrape_request_rate=50.0, data_dir=tmp_path
    )
    outcome = await scrape_once(settings, "senl", base_url=site.base_url, dry_run=True)
    assert outcome.ok and len(outcome.observations) == 20
    assert sum(o.counts for o in outcome.observations) == 20


async def test_the_demo_answers_load_more_as_wordpress_does(site: SenlSite) -> None:
    def form(**fields: str) -> dict[str, str]:
        return {"action": "se_load_members", "page": "2", "nonce": site.nonce, **fields}

    async with httpx.AsyncClient(base_url=site.base_url) as http:
        page = await http.get(LIST)
        batch = await http.post(AJAX, data=form())
        last = await http.post(AJAX, data=form(page="4"))
        bad_nonce = await http.post(AJAX, data=form(nonce="deadbeef00"))
        bad_action = await http.post(AJAX, data=form(action="heartbeat"))
        profile = await http.get(f"{LIST}zeep-van-zorg/")
        missing = await http.get(f"{LIST}bestaat-niet/")
        robots = (await http.get("/robots.txt")).text
    assert f'data-nonce="{site.nonce}"' in page.text and page.text.count('class="member"') == 8
    assert batch.text.count('class="member"') == 8 and last.text == ""
    assert (bad_nonce.status_code, bad_nonce.text) == (403, "-1")
    assert (bad_action.status_code, bad_action.text) == (400, "0")
    assert '<li class="lidmaatschap">BOOST-lid</li>' in profile.text
    assert 'class="website"' not in profile.text and missing.status_code == 404
    assert "Disallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php" in robots
    with pytest.raises(ValueError, match="unknown page set"):
        site.use("Z")
