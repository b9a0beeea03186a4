"""After a step the demo's director has every label scraped and then every hotspot's feeds
read, by requests on the scraper's command subject as the demo's NATS user, and says what
the step changed in the news; here a stand-in scraper (as the scraper's user) answers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from nats.aio.msg import Msg

from contracts.subjects import SCRAPE_COMMANDS
from services.demo import control
from services.demo.director import Director
from services.demo.newsroom import Newsroom
from services.demo.timeline import Timeline
from services.demo.world import World
from services.kit.nats_access import connect
from services.kit.nats_users import DEMO, SCRAPER
from tests.fixtures.servers import NatsUsers

pytestmark = pytest.mark.integration


class Feeds:
    def __init__(self) -> None:
        self.steps: list[int] = []

    def use(self, step: int) -> None:
        self.steps.append(step)


@pytest.fixture
async def scraper(nats_users: NatsUsers) -> AsyncIterator[list[dict[str, Any]]]:
    """The requests a stand-in scraper answered, in order; it answers like the real one."""
    asked: list[dict[str, Any]] = []
    client = await connect(nats_users.url(SCRAPER.name))

    async def answer(msg: Msg) -> None:
        body = json.loads(msg.data)
        asked.append(body)
        counts = {"published": 1} if body.get("feed") == "news" else {}
        await msg.respond(json.dumps({**body, "ok": True, **counts}).encode())

    subscription = await client.subscribe(SCRAPE_COMMANDS, cb=answer)
    yield asked
    await subscription.unsubscribe()
    await client.close()


async def test_a_step_reads_the_hotspots_feeds_after_the_labels_and_says_what_changed(
    nats_users: NatsUsers, scraper: list[dict[str, Any]], tmp_path: Path
) -> None:
    world, newsroom, feeds, said = World(), Newsroom(), Feeds(), []
    timeline = Timeline(world, {}, newsroom, {"zwolle": feeds, "deventer": feeds})
    director = Director(
        timeline,
        nats_users.url(DEMO.name),
        labels=world.labels,
        step_seconds=0,
        data_dir=tmp_path,
        say=said.append,
        hotspots=("zwolle", "deventer"),
    )
    director.start()
    try:
        answer = await control.request_advance(tmp_path)
    finally:
        director.stop()

    labels, feeds_read = scraper[: len(world.labels)], scraper[len(world.labels) :]
    assert labels == [{"label": label} for label in world.labels]  # the labels first
    assert sorted(map(str, feeds_read)) == sorted(
        str({"hotspot": hotspot, "feed": feed})
        for hotspot in ("zwolle", "deventer")
        for feed in ("news", "agenda")
    )
    assert feeds.steps == [0, 0, 1, 1]
    assert [(f["hotspot"], f["feed"], f["ok"]) for f in answer["feeds"]] == [
        ("zwolle", "news", True),
        ("zwolle", "agenda", True),
        ("deventer", "news", True),
        ("deventer", "agenda", True),
    ]
    assert answer["news"] == newsroom.expectations(1)
    lines = control.describe(answer)
    assert any(line.startswith("  news:") and "Spreekuur" in line for line in lines)
    assert lines[-1] == (
        "  feeds read: zwolle news ok (1 published), zwolle agenda ok, "
        "deventer news ok (1 published), deventer agenda ok"
    )
    assert any(line.endswith(lines[-1].strip()) for line in said)
