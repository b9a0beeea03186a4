"""Scraping the demo Code Sociale Ondernemingen register over real HTTP.

Most tests run the real runner and polite client against the demo site, with the state store
and publisher faked; the last two publish into a real nats-server with JetStream.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nats
import pytest

from contracts.base import utc_now
from contracts.labels import LabelEvent, LabelGranted, LabelLapsed
from services.demo.sites.codeso import CodesoSite, start_codeso_site
from services.kit.dutch import dutch_date_of
from services.scraper.config import ScraperSettings
from services.scraper.main import scrape_once
from services.scraper.outcome import RunOutcome
from services.scraper.service import build_run
from services.scraper.sources.codeso import RENEWAL_HORIZON
from services.scraper.state import FakeStateStore
from tests.integration.scraper.helpers import LOCAL_SITE_SETTINGS
from tests.unit.scraper.fakes import FakePublisher

pytestmark = pytest.mark.integration
QUERY = "/wp-json/wp/v2/kadence_query/query"
REGISTER_AND_QUERIES = [
    ("GET", "/robots.txt"),
    ("GET", "/register/"),
    ("POST", QUERY),
    ("POST", QUERY),
    ("POST", QUERY),
]


@pytest.fixture
def site() -> Iterator[CodesoSite]:
    site = start_codeso_site("A", today=dutch_date_of(utc_now()))
    yield site
    site.stop()


def settings_for(site: CodesoSite, **overrides: Any) -> ScraperSettings:
    values: dict[str, Any] = {
        "nats_url": "nats://127.0.0.1:1",
        "codeso_base_url": site.base_url,
        **LOCAL_SITE_SETTINGS,
        **overrides,
    }
    return ScraperSettings(**values)


class Scraper:
    """Runs of the codeso label that remember their state between runs, as the service does."""

    def __init__(self, site: CodesoSite) -> None:
        self.site = site
        self.store = FakeStateStore()
        self.publisher = FakePublisher()

    async def run(self) -> RunOutcome:
        run = build_run(
            settings_for(self.site), "codeso", store=self.store, publisher=self.publisher
        )
        return await run.run(self.site.today)

    def subjects(self, since: int = 0) -> list[str]:
        return self.publisher.subjects()[since:]


def event_key(event: LabelEvent) -> tuple[str, str]:
    holding_id = (
        event.holding_id if isinstance(event, LabelLapsed) else event.observation.holding_id
    )
    return event.kind, holding_id


def calls(site: CodesoSite) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in site.requests]


def profile_calls(site: CodesoSite) -> list[str]:
    return [r.path for r in site.requests if r.method == "GET" and r.path.count("/") == 3]


def near_renewal(site: CodesoSite, *others: str) -> list[str]:
    """Profiles read in every run: counting registrations whose next assessment is within
    the renewal horizon (a renewal shows on the profile only), plus `others`."""
    due = [
        f"/register/{r.slug}/"
        for r in site.registrations()
        if r.counts(site.today)
        and r.valid_until is not None
        and r.valid_until - site.today <= RENEWAL_HORIZON
    ]
    return sorted({*due, *others})


async def test_a_first_run_reads_every_card_and_every_profile(site: CodesoSite) -> None:
    outcome = await Scraper(site).run()
    assert outcome.ok, outcome.reason
    registrations = site.registrations()
    assert calls(site) == REGISTER_AND_QUERIES + [
        ("GET", f"/register/{r.slug}/") for r in registrations
    ]
    assert {r.user_agent for r in site.requests} == {settings_for(site).user_agent}
    read = {o.holding_id: o for o in outcome.observations}
    assert list(read) == [r.slug for r in registrations] and len(read) == 20
    assert {h for h, o in read.items() if o.counts} == {
        r.slug for r in registrations if r.counts(site.today)
    }
    assert sum(o.counts for o in read.values()) == 11
    for registration in registrations:
        observation = read[registration.slug]
        assert observation.status == registration.status.lower()
        assert observation.valid_until == registration.valid_until
        assert observation.valid_from == registration.sinds
        assert observation.themes == registration.impact
        assert observation.place == registration.plaats
    assert read["eerlijk-groen-hoveniers"].kvk == ("09117788",)
    assert read["eerlijk-groen-hoveniers"].website == "https://eerlijkgroen.nl/"
    assert read["veluws-vakmanschap"].kvk == () and read["koffie-en-kansen"].website is None
    assert outcome.warnings == []
    assert outcome.stats.pages_fetched == 25 and outcome.stats.not_modified == 0


async def test_an_unchanged_second_run_reads_no_profile_at_all(site: CodesoSite) -> None:
    scraper = Scraper(site)
    first = await scraper.run()
    site.clear_requests()
    second = await scraper.run()
    assert second.ok and second.events == []
    near = near_renewal(site)
    assert near, "the demo register must have a registration due for re-assessment soon"
    listing = [(r.method, r.path, r.status, r.conditional) for r in site.requests][:5]
    assert listing == [
        ("GET", "/robots.txt", 304, True),
        ("GET", "/register/", 304, True),
        ("POST", QUERY, 200, False),
        ("POST", QUERY, 200, False),
        ("POST", QUERY, 200, False),
    ]
    profiles = [(r.path, r.status, r.conditional) for r in site.requests][5:]
    assert sorted(profiles) == [(path, 304, True) for path in near]
    assert second.observations == first.observations
    assert second.stats.not_modified == 2 + len(near)
    assert second.stats.bytes_received < first.stats.bytes_received / 3


async def test_a_changed_card_costs_exactly_one_profile_request(site: CodesoSite) -> None:
    scraper = Scraper(site)
    await scraper.run()
    entries = site.entries("A")
    moved = next(e for e in entries if e["slug"] == "soep-en-soul")
    moved["plaats"] = "Bennekom"
    site.define_page_set("verhuisd", entries)
    site.use("verhuisd")
    site.clear_requests()
    outcome = await scraper.run()
    assert outcome.ok
    assert calls(site)[:5] == REGISTER_AND_QUERIES
    assert sorted(profile_calls(site)) == near_renewal(site, "/register/soep-en-soul/")
    assert [event_key(e) for e in outcome.events] == [("changed", "soep-en-soul")]
    assert next(o for o in outcome.observations if o.holding_id == "soep-en-soul").place == (
        "Bennekom"
    )


async def test_page_set_b_grants_one_changes_one_and_lapses_one_after_two_absences(
    site: CodesoSite,
) -> None:
    scraper = Scraper(site)
    await scraper.run()
    site.use("B")
    site.clear_requests()
    first_absence = await scraper.run()
    assert first_absence.ok
    assert sorted(profile_calls(site)) == near_renewal(
        site, "/register/groen-en-doen-raalte/", "/register/koffie-en-kansen/"
    )
    assert {event_key(e) for e in first_absence.events} == {
        ("granted", "groen-en-doen-raalte"),
        ("changed", "koffie-en-kansen"),
    }
    site.clear_requests()
    second_absence = await scraper.run()
    assert sorted(profile_calls(site)) == near_renewal(site)
    assert [event_key(e) for e in second_absence.events] == [("lapsed", "maaltijdmakers-arnhem")]


async def test_a_nonce_that_expires_mid_read_is_renewed_once(site: CodesoSite) -> None:
    old_nonce = site.nonce
    site.rotate_nonce(after_posts=1)
    outcome = await Scraper(site).run()
    assert outcome.ok, outcome.reason
    assert site.nonce != old_nonce
    assert [(r.method, r.path, r.status) for r in site.requests][:7] == [
        ("GET", "/robots.txt", 200),
        ("GET", "/register/", 200),
        ("POST", QUERY, 200),
        ("POST", QUERY, 403),
        ("GET", "/register/", 200),
        ("POST", QUERY, 200),
        ("POST", QUERY, 200),
    ]
    assert len(outcome.observations) == 20


async def test_a_nonce_refused_after_its_renewal_fails_the_run_without_lapses(
    site: CodesoSite,
) -> None:
    scraper = Scraper(site)
    await scraper.run()
    published = len(scraper.subjects())
    site.rotate_nonce(after_posts=1)
    site.rotate_nonce(after_posts=1)
    outcome = await scraper.run()
    assert not outcome.ok
    assert "refused the nonce again (HTTP 403)" in (outcome.reason or "")
    assert scraper.subjects(published) == ["impact.v1.scrapes.codeso.failed"]
    assert [r.status for r in site.requests if r.method == "POST"][-4:] == [200, 403, 200, 403]


async def test_a_blocked_endpoint_fails_the_run_after_one_renewal(site: CodesoSite) -> None:
    site.fail_next(2, 403, path="/wp-json/")
    outcome = await Scraper(site).run()
    assert not outcome.ok and "refused the nonce again" in (outcome.reason or "")
    assert calls(site) == [
        ("GET", "/robots.txt"),
        ("GET", "/register/"),
        ("POST", QUERY),
        ("GET", "/register/"),
        ("POST", QUERY),
    ]


async def test_the_maintenance_page_fails_the_run_without_lapses(site: CodesoSite) -> None:
    scraper = Scraper(site)
    await scraper.run()
    published = len(scraper.subjects())
    site.use("onderhoud")
    outcome = await scraper.run()
    assert not outcome.ok and "no kbp_query_loop_rest_endpoint" in (outcome.reason or "")
    assert scraper.subjects(published) == ["impact.v1.scrapes.codeso.failed"]
    site.use("A")
    assert (await scraper.run()).events == []


async def test_a_dry_run_returns_the_observations(site: CodesoSite, tmp_path: Path) -> None:
    settings = settings_for(site, data_dir=tmp_path)
    outcome = await scrape_once(settings, "codeso", dry_run=True)
    assert outcome.ok and len(outcome.observations) == 20


# --- into a real nats-server ------------------------------------------------------------------


async def label_messages(nats_url: str) -> list[dict[str, Any]]:
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    try:
        info = await js.stream_info("LABELS")
        found = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            raw = await js.get_msg("LABELS", seq)
            found.append({"subject": raw.subject, **json.loads(raw.data or b"{}")})
        return found if info.state.messages else []
    finally:
        await nc.close()


async def test_runs_through_nats_grant_then_follow_page_set_b(
    nats_url: str, site: CodesoSite
) -> None:
    settings = settings_for(site, nats_url=nats_url)
    first = await scrape_once(settings, "codeso")
    assert first.ok, first.reason
    granted = await label_messages(nats_url)
    assert {m["observation"]["holding_id"] for m in granted} == {
        r.slug for r in site.registrations() if r.counts(site.today)
    }
    assert all(m["subject"] == "impact.v1.labels.codeso.granted" for m in granted)
    assert all(isinstance(e, LabelGranted) for e in first.events) and len(granted) == 11
    site.use("B")
    site.clear_requests()
    second = await scrape_once(settings, "codeso")
    assert second.ok and len(profile_calls(site)) == 2 + len(near_renewal(site))
    site.clear_requests()
    third = await scrape_once(settings, "codeso")
    assert third.ok and len(profile_calls(site)) == len(near_renewal(site))
    new = (await label_messages(nats_url))[11:]
    assert [m["subject"].rsplit(".", 1)[1] for m in new] == ["granted", "changed", "lapsed"]
    lapsed = next(e for e in third.events if isinstance(e, LabelLapsed))
    assert (lapsed.holding_id, lapsed.reason) == ("maaltijdmakers-arnhem", "absent")
