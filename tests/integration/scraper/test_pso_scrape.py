"""Scraping the demo PSO register over real HTTP into a real nats-server with JetStream."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from nats.js.errors import NotFoundError

from contracts.subjects import SCRAPE_COMMANDS
from services.demo.sites.pso import PsoSite, start_pso_site
from services.scraper.config import ScraperSettings
from services.scraper.main import create_app, scrape_once
from tests.integration.scraper.helpers import LOCAL_SITE_SETTINGS

pytestmark = pytest.mark.integration


@dataclass
class Message:
    subject: str
    data: dict[str, Any]
    msg_id: str | None


@pytest.fixture
def site() -> Iterator[PsoSite]:
    site = start_pso_site("A")
    yield site
    site.stop()


def settings_for(nats_url: str, site: PsoSite, **overrides: Any) -> ScraperSettings:
    values: dict[str, Any] = {
        "nats_url": nats_url,
        "pso_base_url": site.base_url,
        **LOCAL_SITE_SETTINGS,
        "scrape_interval_seconds": 3600.0,
        "scrape_labels": ("pso",),
        **overrides,
    }
    return ScraperSettings(**values)


async def stream(nats_url: str, name: str) -> list[Message]:
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    try:
        info = await js.stream_info(name)
        if not info.state.messages:
            return []
        found = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            raw = await js.get_msg(name, seq)
            msg_id = (raw.headers or {}).get("Nats-Msg-Id")
            found.append(Message(raw.subject or "", json.loads(raw.data or b"{}"), msg_id))
        return found
    except NotFoundError:
        return []
    finally:
        await nc.close()


def holding_ids(messages: list[Message], kind: str) -> set[str]:
    return {
        m.data.get("holding_id") or m.data["observation"]["holding_id"]
        for m in messages
        if m.subject == f"impact.v1.labels.pso.{kind}"
    }


async def test_a_first_run_publishes_one_granted_event_per_counting_certificate(
    nats_url: str, site: PsoSite
) -> None:
    outcome = await scrape_once(settings_for(nats_url, site), "pso")
    assert outcome.ok, outcome.reason
    labels = await stream(nats_url, "LABELS")
    expected = {c.number for c in site.certificates("A") if c.counts(site.today)}
    assert len(expected) == 22
    assert holding_ids(labels, "granted") == expected and len(labels) == 22
    assert all(m.msg_id == m.data["event_id"] for m in labels)
    scrapes = await stream(nats_url, "SCRAPES")
    assert [m.subject for m in scrapes] == ["impact.v1.scrapes.pso.completed"]
    stats = scrapes[0].data["stats"]
    assert (stats["holdings"], stats["counting"], stats["pages_fetched"]) == (25, 22, 4)
    assert scrapes[0].data["granted"] == 22


async def test_an_unchanged_second_run_only_asks_whether_pages_changed(
    nats_url: str, site: PsoSite
) -> None:
    settings = settings_for(nats_url, site)
    await scrape_once(settings, "pso")
    site.clear_requests()
    outcome = await scrape_once(settings, "pso")
    assert outcome.ok and outcome.events == []
    assert [(r.path, r.status, r.conditional) for r in site.requests] == [
        ("/robots.txt", 304, True),
        ("/pso-register/?pagina=1", 304, True),
        ("/pso-register/?pagina=2", 304, True),
        ("/pso-register/?pagina=3", 304, True),
    ]
    assert len(await stream(nats_url, "LABELS")) == 22
    completed = (await stream(nats_url, "SCRAPES"))[-1].data
    assert completed["stats"]["not_modified"] == 4 and completed["stats"]["pages_fetched"] == 0
    assert completed["stats"]["holdings"] == 25


async def test_page_set_b_grants_one_changes_one_and_lapses_one_after_two_absences(
    nats_url: str, site: PsoSite
) -> None:
    settings = settings_for(nats_url, site)
    await scrape_once(settings, "pso")
    site.use("B")
    first_absence = await scrape_once(settings, "pso")
    assert first_absence.ok
    assert [e.kind for e in first_absence.events].count("lapsed") == 0
    second_absence = await scrape_once(settings, "pso")
    assert [e.kind for e in second_absence.events] == ["lapsed"]
    new = (await stream(nats_url, "LABELS"))[22:]
    numbers_a = {c.number for c in site.certificates("A")}
    numbers_b = {c.number for c in site.certificates("B")}
    fietsenmakerij = next(c for c in site.certificates("B") if c.number.endswith("-0188"))
    assert holding_ids(new, "granted") == numbers_b - numbers_a
    assert holding_ids(new, "lapsed") == numbers_a - numbers_b
    assert holding_ids(new, "changed") == {fietsenmakerij.number}
    assert len(new) == 3
    changed = next(m for m in new if m.subject.endswith(".changed")).data
    assert (changed["previous"]["level"], changed["observation"]["level"]) == ("trede-1", "trede-2")
    assert next(m for m in new if m.subject.endswith(".lapsed")).data["reason"] == "absent"


async def assert_failed_without_lapses(nats_url: str, reason_part: str) -> dict[str, Any]:
    scrapes = await stream(nats_url, "SCRAPES")
    assert scrapes[-1].subject == "impact.v1.scrapes.pso.failed"
    assert reason_part in scrapes[-1].data["reason"]
    labels = await stream(nats_url, "LABELS")
    assert holding_ids(labels, "lapsed") == set() and len(labels) == 22
    return scrapes[-1].data


async def test_server_errors_after_retries_end_in_a_failed_run_without_lapses(
    nats_url: str, site: PsoSite
) -> None:
    settings = settings_for(nats_url, site)
    await scrape_once(settings, "pso")
    site.fail_next(3, 500, path="/pso-register/")
    outcome = await scrape_once(settings, "pso")
    assert not outcome.ok
    await assert_failed_without_lapses(nats_url, "failed after 3 attempts: HTTP 500")
    assert outcome.stats.holdings == 0
    again = await scrape_once(settings, "pso")
    assert again.ok and again.events == []


async def test_a_page_without_the_table_ends_in_a_failed_run_without_lapses(
    nats_url: str, site: PsoSite
) -> None:
    settings = settings_for(nats_url, site)
    await scrape_once(settings, "pso")
    site.use("onderhoud")
    outcome = await scrape_once(settings, "pso")
    assert not outcome.ok
    await assert_failed_without_lapses(nats_url, "no table.pso-register")


async def test_far_fewer_holdings_end_in_a_failed_run_without_lapses(
    nats_url: str, site: PsoSite
) -> None:
    settings = settings_for(nats_url, site)
    await scrape_once(settings, "pso")
    site.define_page_set("C", site.entries("A")[:5])
    site.use("C")
    outcome = await scrape_once(settings, "pso")
    assert not outcome.ok
    await assert_failed_without_lapses(nats_url, "only 5 holdings read, the last good run had 25")
    site.use("A")
    assert (await scrape_once(settings, "pso")).events == []


async def test_robots_txt_that_disallows_the_register_is_obeyed(
    nats_url: str, site: PsoSite
) -> None:
    site.robots_txt = "User-agent: *\nDisallow: /pso-register/\n"
    outcome = await scrape_once(settings_for(nats_url, site), "pso")
    assert not outcome.ok and "robots.txt" in (outcome.reason or "")
    assert [r.path for r in site.requests] == ["/robots.txt"]
    scrapes = await stream(nats_url, "SCRAPES")
    assert [m.subject for m in scrapes] == ["impact.v1.scrapes.pso.failed"]
    assert await stream(nats_url, "LABELS") == []


async def test_retry_after_is_waited_for(nats_url: str, site: PsoSite) -> None:
    site.fail_next(1, 503, retry_after=0.6, path="/pso-register/")
    outcome = await scrape_once(settings_for(nats_url, site), "pso")
    assert outcome.ok
    first = [r for r in site.requests if r.path == "/pso-register/?pagina=1"]
    assert [r.status for r in first] == [503, 200]
    assert first[1].at - first[0].at >= 0.55


async def test_a_dry_run_needs_no_nats_and_returns_the_observations(
    site: PsoSite, tmp_path: Path
) -> None:
    settings = ScraperSettings(
        nats_url="nats://127.0.0.1:1", scrape_request_rate=50.0, data_dir=tmp_path
    )
    outcome = await scrape_once(settings, "pso", base_url=site.base_url, dry_run=True)
    assert outcome.ok and len(outcome.observations) == 25
    assert sum(o.counts for o in outcome.observations) == 22


async def test_each_certificate_links_to_its_own_entry_in_the_register(
    site: PsoSite, tmp_path: Path
) -> None:
    settings = ScraperSettings(
        nats_url="nats://127.0.0.1:1", scrape_request_rate=50.0, data_dir=tmp_path
    )
    outcome = await scrape_once(settings, "pso", base_url=site.base_url, dry_run=True)
    entries = {o.holding_id: o.source_url for o in outcome.observations}
    assert len(set(entries.values())) == len(entries) == 25
    async with httpx.AsyncClient() as http:
        for holding_id, url in list(entries.items())[::6]:
            page = await http.get(url)
            assert page.status_code == 200
            assert f"<dd>{holding_id}</dd>" in page.text


async def test_the_service_scrapes_at_start_and_on_request(nats_url: str, site: PsoSite) -> None:
    app = create_app(settings_for(nats_url, site))
    await app.start()
    try:
        for _ in range(200):
            if await stream(nats_url, "SCRAPES"):
                break
            await asyncio.sleep(0.05)
        site.use("B")
        nc = await nats.connect(nats_url)
        reply = await nc.request(SCRAPE_COMMANDS, b'{"label": "pso"}', timeout=20)
        await nc.close()
    finally:
        await app.stop()
    summary = json.loads(reply.data)
    assert summary["ok"] is True
    # The certificate gone from B is absent once: it lapses only after a second absence.
    assert (summary["granted"], summary["changed"], summary["lapsed"]) == (1, 1, 0)
    scrapes = await stream(nats_url, "SCRAPES")
    assert [m.subject for m in scrapes] == ["impact.v1.scrapes.pso.completed"] * 2
    assert len(await stream(nats_url, "LABELS")) == 24
    next_run = datetime.fromisoformat(scrapes[-1].data["next_run_at"])
    assert next_run > datetime.fromisoformat(scrapes[-1].data["occurred_at"])
