"""`scrape --record`: a run against a demo registry stores every exchange, and replaying that
recording through the same adapter gives the same outcome."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contracts.labels import LABELS, LabelName
from services.scraper.recorded_runs import replay_run
from tests.integration.scraper.recordings import record_demo_run
from tests.integration.test_cli import impactoost

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("label", LABELS)
async def test_recording_a_run_then_replaying_it_gives_an_identical_outcome(
    label: LabelName, tmp_path: Path
) -> None:
    recorded, requests = await record_demo_run(label, tmp_path)
    assert recorded.ok, recorded.reason
    index = json.loads((tmp_path / "index.json").read_text())
    stored = [(e["method"], e["url"].split(":", 2)[2].split("/", 1)[1]) for e in index["exchanges"]]
    assert [(m, "/" + p) for m, p in stored] == requests  # every request, in order
    replayed, transport = await replay_run(tmp_path)
    assert replayed.ok and transport.unused == []
    assert replayed.observations == recorded.observations
    assert replayed.events == recorded.events  # same ids: same started_at, same facts
    assert replayed.warnings == recorded.warnings
    assert replayed.request_shapes == recorded.request_shapes
    assert replayed.stats.bytes_received == recorded.stats.bytes_received


async def test_a_codeso_run_that_needed_the_second_shape_replays_with_it(tmp_path: Path) -> None:
    recorded, _ = await record_demo_run("codeso", tmp_path, request_shape="json-page")
    replayed, transport = await replay_run(tmp_path)
    assert recorded.request_shapes == replayed.request_shapes == {"query": "json ql_id+page"}
    assert replayed.observations == recorded.observations and transport.unused == []


def test_the_cli_records_a_dry_run_and_refuses_to_overwrite_a_recording(tmp_path: Path) -> None:
    from services.demo.sites.cedris import start_cedris_site

    site = start_cedris_site()
    target = tmp_path / "rec"
    try:
        args = ("scrape", "cedris", "--record", str(target), "--dry-run", "--base-url")
        first = impactoost(*args, site.base_url, tmp_path=tmp_path)
        again = impactoost(*args, site.base_url, tmp_path=tmp_path)
    finally:
        site.stop()
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout.splitlines()[-1])["ok"] is True
    index = json.loads((target / "index.json").read_text())
    assert [e["method"] for e in index["exchanges"]] == ["GET", "GET"]
    assert index["label"] == "cedris" and index["dry_run"] is True
    assert again.returncode == 2
    assert "already holds a recording" in again.stderr.strip().splitlines()[-1]
