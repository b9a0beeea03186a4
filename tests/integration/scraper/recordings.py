"""Recordings of dry runs against the demo registries, and what a correct adapter reads from
each: the replay tests' expectations come from the demo data, not from the recording.

Regenerate the checked-in recordings (after a deliberate change of a demo site or of what
an adapter requests) with `python -m tests.integration.scraper.recordings`, which replaces
tests/fixtures/recordings/<label>/.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

from contracts.base import utc_now
from contracts.labels import LABELS, LabelName
from services.demo.sites import cedris, codeso, pso, senl
from services.demo.sites.registry_site import RegistrySite
from services.kit.dutch import dutch_date_of
from services.scraper.config import ScraperSettings
from services.scraper.outcome import RunOutcome
from services.scraper.recorded_runs import record_run
from tests.integration.scraper.helpers import LOCAL_SITE_SETTINGS

RECORDINGS = Path(__file__).parents[2] / "fixtures" / "recordings"
STARTERS: dict[LabelName, Callable[..., RegistrySite]] = {
    "pso": pso.start_pso_site,
    "codeso": codeso.start_codeso_site,
    "senl": senl.start_senl_site,
    "cedris": cedris.start_cedris_site,
}


def expected_holdings(label: LabelName, today: date) -> dict[str, tuple[str, bool]]:
    """holding id -> (name, counts) for every holding of page set A of `label`'s demo site."""
    if label == "pso":
        certificates = [pso.certificate(e, today) for e in pso.load_entries()["A"]]
        return {c.number: (c.organisatie, c.counts(today)) for c in certificates}
    if label == "codeso":
        entries = [codeso.registration(e, today) for e in codeso.load_entries()["A"]]
        return {r.slug: (r.naam, r.counts(today)) for r in entries}
    if label == "senl":
        members = [senl.member(e) for e in senl.load_entries()["A"]]
        return {m.slug: (m.naam, m.counts()) for m in members}
    cedris_members = [cedris.member(e) for e in cedris.load_entries()["A"]]
    return {m.id: (m.naam, m.counts) for m in cedris_members}


async def record_demo_run(
    label: LabelName, directory: Path, **site_options: object
) -> tuple[RunOutcome, list[tuple[str, str]]]:
    """A dry run of `label` against its demo site (page set A, today), recorded under
    `directory`; with the (method, path) of each request the site answered."""
    site = STARTERS[label]("A", today=dutch_date_of(utc_now()), **site_options)
    try:
        settings = ScraperSettings(nats_url="nats://127.0.0.1:1", **LOCAL_SITE_SETTINGS)
        outcome = await record_run(settings, label, directory, base_url=site.base_url, dry_run=True)
        return outcome, [(r.method, r.path) for r in site.requests]
    finally:
        site.stop()


async def _record_all() -> None:
    for label in LABELS:
        directory = RECORDINGS / label
        shutil.rmtree(directory, ignore_errors=True)
        outcome, requests = await record_demo_run(label, directory)
        print(f"{label}: {len(requests)} requests, ok={outcome.ok}, into {directory}")


if __name__ == "__main__":
    asyncio.run(_record_all())
