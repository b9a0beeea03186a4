"""For every label: a broken registry fails the run, says why, and lapses nobody.

Real nats-server; each demo registry breaks in the three ways a run must survive: errors
after retries, a page whose structure is gone, and far fewer holdings than last time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nats
import pytest

from contracts.labels import LabelName
from contracts.subjects import STREAMS
from services.demo.sites.cedris import start_cedris_site
from services.demo.sites.codeso import start_codeso_site
from services.demo.sites.pso import start_pso_site
from services.demo.sites.senl import start_senl_site
from services.kit.streams import ensure_streams
from services.scraper.config import ScraperSettings
from services.scraper.main import scrape_once
from tests.fixtures.servers import running_nats

pytestmark = pytest.mark.integration

SITES: dict[LabelName, tuple[Callable[..., Any], str]] = {
    "pso": (start_pso_site, "/pso-register/"),
    "codeso": (start_codeso_site, "/register/"),
    "senl": (start_senl_site, "/wie-doen-het/"),
    "cedris": (start_cedris_site, "/leden/"),
}


@pytest.fixture(scope="module")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_nats(tmp_path_factory.mktemp("failed-runs")) as users:
        url = users.url()
        yield url


async def _subjects(nats_url: str, stream: str) -> list[tuple[str, dict[str, Any]]]:
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    try:
        info = await js.stream_info(stream)
        found = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            msg = await js.get_msg(stream, seq)
            found.append((msg.subject or "", json.loads(msg.data or b"{}")))
        return found
    finally:
        await nc.close()


@pytest.mark.parametrize("label", list(SITES))
async def test_a_broken_registry_fails_the_run_and_lapses_nobody(
    label: LabelName, nats_url: str, tmp_path: Path
) -> None:
    start, listing = SITES[label]
    site = start()
    settings = ScraperSettings(
        nats_url=nats_url,
        data_dir=tmp_path,
        scrape_request_rate=50.0,
        scrape_max_attempts=2,
        scrape_backoff_seconds=0.0,
        scrape_absent_runs_to_lapse=1,
    )
    await ensure_streams(nats_url, STREAMS)
    try:
        assert (await scrape_once(settings, label, base_url=site.base_url)).ok
        entries = site.entries("A")
        site.define_page_set("weinig", entries[:2])

        site.fail_next(settings.scrape_max_attempts, status=503, path=listing)
        errors = await scrape_once(settings, label, base_url=site.base_url)
        site.use("onderhoud")
        structure = await scrape_once(settings, label, base_url=site.base_url)
        site.use("weinig")
        too_few = await scrape_once(settings, label, base_url=site.base_url)
        site.use("A")
        recovered = await scrape_once(settings, label, base_url=site.base_url)
    finally:
        site.stop()

    assert [errors.ok, structure.ok, too_few.ok, recovered.ok] == [False, False, False, True]
    assert "503" in (errors.reason or "")
    assert "holdings" in (too_few.reason or "")
    assert recovered.events == []
    label_events = [s for s, _ in await _subjects(nats_url, "LABELS") if f".{label}." in s]
    assert not [s for s in label_events if s.endswith(".lapsed")]
    scrapes = [(s, d) for s, d in await _subjects(nats_url, "SCRAPES") if f".{label}." in s]
    failed = [d["reason"] for s, d in scrapes if s.endswith(".failed")]
    assert failed == [errors.reason, structure.reason, too_few.reason]
