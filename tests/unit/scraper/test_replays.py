"""Recorded runs of each adapter, replayed through the same adapter code on the recorded bytes.

The recordings under tests/fixtures/recordings/<label>/ were made with `scrape --record` against
the demo registries; the expected holdings come from the demo data for the recorded date.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from contracts.labels import LABELS, LabelName
from services.scraper.errors import FetchFailed
from services.scraper.http import HttpPolicy, PoliteClient, make_http_client
from services.scraper.recorded_runs import replay_run
from services.scraper.recording import REDACTED, RecordingTransport, write_recording
from services.scraper.replay import load_recording
from tests.integration.scraper.recordings import RECORDINGS, expected_holdings

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("label", LABELS)
async def test_a_recorded_run_replays_to_the_holdings_the_registry_showed(
    label: LabelName,
) -> None:
    recording = load_recording(RECORDINGS / label)
    outcome, transport = await replay_run(recording)
    assert outcome.ok, outcome.reason
    read = {o.holding_id: (o.name, o.counts) for o in outcome.observations}
    assert read == expected_holdings(label, recording.today)
    assert transport.misses == [] and transport.unused == []
    recorded = recording.meta["outcome"]
    replayed = outcome.summary()
    for key in ("ok", "granted", "changed", "lapsed", "warnings", "request_shapes"):
        assert replayed[key] == recorded[key], key


async def test_the_codeso_replay_reports_the_request_shape_it_used() -> None:
    outcome, _ = await replay_run(RECORDINGS / "codeso")
    assert outcome.request_shapes == {"query": "json ql_id+paged"}


async def test_a_run_that_goes_another_way_than_the_recording_fails_naming_the_request(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "pso"
    shutil.copytree(RECORDINGS / "pso", copy)
    index = json.loads((copy / "index.json").read_text())
    dropped = index["exchanges"].pop(2)  # the register's second page
    (copy / "index.json").write_text(json.dumps(index))
    outcome, transport = await replay_run(copy)
    assert not outcome.ok
    assert outcome.reason is not None and "recording holds no answer" in outcome.reason
    assert transport.misses == [f"GET {dropped['url']}"]


def test_a_directory_without_a_recording_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="holds no recording"):
        load_recording(tmp_path)


def everything_under(directory: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file())


async def test_credentials_are_never_stored_in_clear(tmp_path: Path) -> None:
    def site(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            headers=[("Set-Cookie", "session=geheim-2"), ("Content-Type", "text/html")],
            text="<p>ok</p>",
        )

    transport = RecordingTransport(inner=httpx.MockTransport(site))
    async with httpx.AsyncClient(transport=transport) as client:
        await client.get(
            "https://registry.test/page",
            headers={"Authorization": "Bearer geheim-1", "Cookie": "id=geheim-3"},
        )
    write_recording(tmp_path, transport.exchanges, {"label": "pso"})
    assert b"geheim" not in everything_under(tmp_path)
    entry = json.loads((tmp_path / "index.json").read_text())["exchanges"][0]
    assert ["Authorization", REDACTED] in entry["request"]["headers"] or [
        "authorization",
        REDACTED,
    ] in entry["request"]["headers"]
    assert ["set-cookie", REDACTED] in [[k.lower(), v] for k, v in entry["response"]["headers"]]
    assert (tmp_path / entry["response"]["body"]).read_bytes() == b"<p>ok</p>"


async def test_a_recorded_transport_error_is_raised_again_on_replay(tmp_path: Path) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    transport = RecordingTransport(inner=httpx.MockTransport(down))
    async with httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get("https://registry.test/")
    assert transport.exchanges[0].error == "ConnectError: refused"


class Chunks(httpx.AsyncByteStream):
    """A body arriving in pieces, counting how many were taken."""

    def __init__(self, count: int, size: int) -> None:
        self.count, self.size, self.taken = count, size, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.count):
            self.taken += 1
            yield b"x" * self.size


async def test_a_page_over_the_size_cap_is_recorded_as_far_as_it_was_read(tmp_path: Path) -> None:
    body = Chunks(count=100, size=100)

    def site(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(200, headers={"Content-Type": "text/html"}, stream=body)

    transport = RecordingTransport(inner=httpx.MockTransport(site))
    policy = HttpPolicy(user_agent="impactoost-test/1 (+https://example.org)", max_page_bytes=250)
    async with make_http_client(policy, transport) as http:
        with pytest.raises(FetchFailed, match="larger than 250 bytes"):
            await PoliteClient(http, policy).get("https://registry.test/groot")
    assert body.taken == 3  # the recording did not read on for the client
    write_recording(tmp_path, transport.exchanges, {"label": "pso"})
    entry = json.loads((tmp_path / "index.json").read_text())["exchanges"][1]
    assert entry["body_cut_short"] == "the client stopped reading"
    assert len((tmp_path / entry["response"]["body"]).read_bytes()) == 300
