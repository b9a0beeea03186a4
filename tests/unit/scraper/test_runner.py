"""One scrape run with fakes: ordering of publish and save, failed runs, dry runs."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from contracts.labels import LabelChanged, LabelGranted, LabelLapsed, LabelName, Observation
from contracts.scrapes import ScrapeCompleted, ScrapeFailed
from services.scraper.config import ScraperSettings
from services.scraper.http import PoliteClient
from services.scraper.outcome import RunOutcome, observation_line
from services.scraper.policy import LabelPolicy
from services.scraper.runner import ScrapeRun
from services.scraper.service import build_run
from services.scraper.sources.base import NOTHING_KNOWN, KnownHolding, SourceResult
from services.scraper.sources.pso import PsoSource
from services.scraper.state import FakeStateStore, ScraperState
from tests.fixtures.spec import OBSERVATION_FIELDS
from tests.unit.scraper.fakes import (
    BASE,
    POLICY,
    FakePublisher,
    FakeWeb,
    fixture_page,
    fixture_reader,
    register_web,
)

pytestmark = pytest.mark.unit
TODAY = date(2025, 6, 1)
ALL_PAGES = ("page1.html", "page2.html", "page3.html")


class JournalStore(FakeStateStore):
    """A fake store that writes its saves into the same journal as the publisher."""

    def __init__(self, journal: list[str]) -> None:
        super().__init__()
        self.journal = journal

    async def save(self, state: ScraperState) -> None:
        await super().save(state)
        self.journal.append("save")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 6, 1, 4, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def scrape(
    web: FakeWeb,
    store: FakeStateStore,
    publisher: FakePublisher | None,
    min_holdings_ratio: float = 0.5,
) -> ScrapeRun:
    return ScrapeRun(
        source=PsoSource(BASE),
        store=store,
        publisher=publisher,
        policy=replace(POLICY, backoff_seconds=0.0),
        event_source="test",
        transport=web.transport(),
        clock=Clock(),
        min_holdings_ratio=min_holdings_ratio,
    )


async def test_a_run_publishes_label_events_then_saves_then_reports_completion() -> None:
    journal: list[str] = []
    publisher, store = FakePublisher(journal=journal), JournalStore(journal)
    outcome = await scrape(register_web(*ALL_PAGES), store, publisher).run(TODAY)
    assert outcome.ok and outcome.stats.holdings == 15
    granted = [s for s in publisher.subjects() if s == "impact.v1.labels.pso.granted"]
    assert len(granted) == outcome.stats.counting == 12
    assert journal == ["publish impact.v1.labels.pso.granted"] * 12 + [
        "save",
        "publish impact.v1.scrapes.pso.completed",
    ]
    completed = publisher.published[-1][1]
    assert isinstance(completed, ScrapeCompleted)
    assert (completed.granted, completed.changed, completed.lapsed) == (12, 0, 0)
    assert completed.stats.pages_fetched == 3 and completed.stats.bytes_received > 10_000
    assert outcome.bytes_decoded == completed.stats.bytes_received  # none gzipped
    saved = await store.load("pso")
    assert len(saved.holdings) == 15 and saved.last_good_holdings == 15
    assert saved.last_success is not None and saved.last_failure is None


async def test_a_run_that_fails_part_way_publishes_only_scrape_failed_and_lapses_nothing() -> None:
    store, publisher = FakeStateStore(), FakePublisher()
    await scrape(register_web(*ALL_PAGES), store, publisher).run(TODAY)
    before = await store.load("pso")
    publisher.published.clear()
    broken = register_web("page1.html", "no_table.html")
    outcome = await scrape(broken, store, publisher).run(TODAY)
    assert not outcome.ok and "no table.pso-register" in (outcome.reason or "")
    assert publisher.subjects() == ["impact.v1.scrapes.pso.failed"]
    failed = publisher.published[0][1]
    assert isinstance(failed, ScrapeFailed) and failed.stats.pages_fetched == 2
    after = await store.load("pso")
    assert after.holdings == before.holdings and after.http_cache == before.http_cache
    assert after.last_failure is not None and after.last_failure.reason == outcome.reason
    assert after.last_good_holdings == 15


async def test_far_fewer_holdings_than_the_last_good_run_is_a_failed_run() -> None:
    store, publisher = FakeStateStore(), FakePublisher()
    await scrape(register_web(*ALL_PAGES), store, publisher).run(TODAY)
    publisher.published.clear()
    outcome = await scrape(register_web("page3.html"), store, publisher).run(TODAY)
    assert not outcome.ok
    assert outcome.reason == ("only 2 holdings read, the last good run had 15 (minimum ratio 0.5)")
    assert not any(isinstance(e, LabelLapsed) for _, e in publisher.published)


async def test_all_holdings_read_but_far_fewer_counting_is_a_failed_run() -> None:
    # The register renamed its status, or the listing policy has a typo: nobody counts.
    store, publisher = FakeStateStore(), FakePublisher()
    first = await scrape(register_web(*ALL_PAGES), store, publisher).run(TODAY)
    assert first.ok and first.stats.counting > 0
    publisher.published.clear()
    nobody = LabelPolicy(statuses=frozenset({"erkend"}))
    run = scrape(register_web(*ALL_PAGES), store, publisher)
    outcome = await replace(run, source=PsoSource(BASE, policy=nobody)).run(TODAY)
    assert not outcome.ok
    assert outcome.reason == (
        f"only 0 of 15 holdings count, the last good run had {first.stats.counting} counting "
        "(minimum ratio 0.5)"
    )
    assert publisher.subjects() == ["impact.v1.scrapes.pso.failed"]
    after = await store.load("pso")
    assert after.last_good_counting == first.stats.counting


async def test_the_holdings_ratio_is_configurable() -> None:
    store, publisher = FakeStateStore(), FakePublisher()
    await scrape(register_web(*ALL_PAGES), store, publisher).run(TODAY)
    only_page_one = fixture_page("page1.html").replace('rel="next" ', "")
    web = FakeWeb().html(f"{BASE}/pso-register/?pagina=1", only_page_one)
    strict = await scrape(web, store, publisher, min_holdings_ratio=0.9).run(TODAY)
    assert strict.ok is False and "only 8 holdings" in (strict.reason or "")
    outcome = await scrape(web, store, publisher, min_holdings_ratio=0.5).run(TODAY)
    assert outcome.ok  # 8 of 15 is more than half


async def test_a_publish_failure_saves_nothing_so_the_next_run_repeats_the_same_ids() -> None:
    store = FakeStateStore()
    with pytest.raises(TimeoutError):
        await scrape(register_web(*ALL_PAGES), store, FakePublisher(fail_at=4)).run(TODAY)
    assert store.saves == 0
    publisher = FakePublisher()
    await scrape(register_web(*ALL_PAGES), store, publisher).run(TODAY)
    again = FakePublisher()
    store_again = FakeStateStore()
    await scrape(register_web(*ALL_PAGES), store_again, again).run(TODAY)
    ids = [e.event_id for _, e in publisher.published[:-1]]
    assert ids == [e.event_id for _, e in again.published[:-1]]


async def test_an_unexpected_error_in_an_adapter_is_a_failed_run() -> None:
    class Exploding:
        label: LabelName = "pso"
        base_url = BASE

        async def fetch(
            self,
            client: PoliteClient,
            today: date,
            known: Mapping[str, KnownHolding] = NOTHING_KNOWN,
        ) -> SourceResult:
            raise KeyError("niveau")

    store, publisher = FakeStateStore(), FakePublisher()
    run = ScrapeRun(
        source=Exploding(),
        store=store,
        publisher=publisher,
        policy=POLICY,
        event_source="test",
        transport=FakeWeb().transport(),
    )
    outcome = await run.run(TODAY)
    assert not outcome.ok and outcome.reason == "unexpected error: KeyError: 'niveau'"
    assert publisher.subjects() == ["impact.v1.scrapes.pso.failed"]


async def test_a_dry_run_reads_everything_but_publishes_and_saves_nothing() -> None:
    store = FakeStateStore()
    outcome = await scrape(register_web(*ALL_PAGES), store, None).run(TODAY)
    assert outcome.ok and len(outcome.observations) == 15
    assert store.saves == 0


async def test_a_second_run_asks_only_whether_pages_changed() -> None:
    web = FakeWeb()
    for number, name in enumerate(ALL_PAGES, start=1):
        etag = f'"p{number}"'
        page = fixture_page(name)

        def answer(request: httpx.Request, etag: str = etag, page: str = page) -> httpx.Response:
            if request.headers.get("If-None-Match") == etag:
                return httpx.Response(304, headers={"ETag": etag})
            return httpx.Response(200, text=page, headers={"ETag": etag})

        web.serve(f"{BASE}/pso-register/?pagina={number}", answer)
    store, publisher = FakeStateStore(), FakePublisher()
    await scrape(web, store, publisher).run(TODAY)
    publisher.published.clear()
    second: RunOutcome = await scrape(web, store, publisher).run(TODAY)
    assert second.ok and second.stats.not_modified == 3 and second.stats.pages_fetched == 0
    assert second.stats.holdings == 15
    assert publisher.subjects() == ["impact.v1.scrapes.pso.completed"]


def test_an_observation_prints_as_one_json_line_with_the_documented_fields() -> None:
    observation = Observation(
        label="pso",
        holding_id="PSO-2024-0153",
        name="Kringloop Twente B.V.",
        place="Enschede",
        kvk=("06123456",),
        level="trede-3",
        pso30plus=True,
        status="gecertificeerd",
        valid_from=date(2024, 3, 12),
        valid_until=date(2026, 3, 12),
        counts=True,
        source_url=f"{BASE}/pso-register/?pagina=1",
        themes=("arbeidsparticipatie",),
    )
    line = observation_line(observation)
    assert "\n" not in line
    assert tuple(json.loads(line)) == OBSERVATION_FIELDS
    assert json.loads(line)["kvk"] == ["06123456"]
    assert json.loads(line)["valid_until"] == "2026-03-12"


def label_events(publisher: FakePublisher) -> list[tuple[str, str, str]]:
    """(kind, holding id, lapse reason or "") of each label event published."""
    events: list[tuple[str, str, str]] = []
    for _, event in publisher.published:
        if isinstance(event, LabelLapsed):
            events.append(("lapsed", event.holding_id, event.reason))
        elif isinstance(event, LabelGranted | LabelChanged):
            events.append((event.kind, event.observation.holding_id, ""))
    return events


async def test_a_changed_listing_policy_lapses_and_grants_holdings_on_the_next_run() -> None:
    web = FakeWeb().html("https://www.cedris.nl/leden/", fixture_reader("cedris")("leden.html"))
    store = FakeStateStore()

    async def scrape_cedris(listing_policy: str) -> list[tuple[str, str, str]]:
        settings = ScraperSettings(
            scrape_request_rate=50, scrape_backoff_seconds=0, listing_policy=listing_policy
        )
        publisher = FakePublisher()
        run = build_run(
            settings, "cedris", store=store, publisher=publisher, transport=web.transport()
        )
        assert (await run.run(TODAY)).ok
        return label_events(publisher)

    first = await scrape_cedris("")
    assert ("granted", "larmo", "") in first and len(first) == 11
    assert not any(holding == "gemeente-hengelo" for _, holding, _ in first)
    changed = '{"cedris": {"levels": ["leerwerkbedrijf", "gemeente"]}}'
    assert sorted(await scrape_cedris(changed)) == [
        ("granted", "gemeente-hengelo", ""),
        ("lapsed", "achterhoek-werkt", "not_counting"),
        ("lapsed", "larmo", "not_counting"),
        ("lapsed", "rijnstad-werkbedrijf", "not_counting"),
        ("lapsed", "vechtdal-werkt", "not_counting"),
    ]
    assert await scrape_cedris(changed) == []
