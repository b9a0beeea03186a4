"""The scraper state: what survives between runs, and how it is stored."""

from __future__ import annotations

import zlib
from datetime import UTC, date, datetime

import pytest

from contracts.labels import Observation
from services.scraper.detect import HoldingState
from services.scraper.http import CachedPage
from services.scraper.state import FakeStateStore, RunInfo, ScraperState, decode_state, encode_state

pytestmark = pytest.mark.unit


def a_state() -> ScraperState:
    observation = Observation(
        label="pso",
        holding_id="PSO-2024-0153",
        name="Kringloop Twente B.V.",
        kvk=("06123456",),
        level="trede-3",
        status="gecertificeerd",
        valid_until=date(2026, 3, 12),
        counts=True,
        source_url="https://pso.test/?pagina=1",
    )
    now = datetime(2025, 6, 1, 4, 0, tzinfo=UTC)
    return ScraperState(
        label="pso",
        holdings={"PSO-2024-0153": HoldingState(observation=observation, episode=2, counting=True)},
        http_cache={"https://pso.test/?pagina=1": CachedPage(etag='"a"', body="<p>" * 5000)},
        last_good_holdings=1,
        last_success=RunInfo(started_at=now, finished_at=now, holdings=1),
    )


def test_state_survives_encoding_and_is_compressed() -> None:
    state = a_state()
    data = encode_state(state)
    assert decode_state(data) == state
    assert len(data) < len(state.model_dump_json()) / 5


def test_plain_json_state_is_read_too() -> None:
    state = a_state()
    assert decode_state(state.model_dump_json().encode()) == state


def test_garbage_state_is_an_error_not_an_empty_state() -> None:
    with pytest.raises(zlib.error):
        decode_state(b"\x00garbage")


async def test_a_label_never_scraped_starts_empty() -> None:
    store = FakeStateStore()
    state = await store.load("pso")
    assert state == ScraperState(label="pso")
    await store.save(a_state())
    assert (await store.load("pso")) == a_state()
