"""What `impactoost demo advance` prints after a step: the registries' scrapes, then what the
step changes in the hotspots' news and how each feed read went, failures named."""

from __future__ import annotations

import pytest

from services.demo.control import describe

pytestmark = pytest.mark.unit


def test_a_step_is_told_with_its_news_and_every_feed_read_failures_included() -> None:
    answer = {
        "advanced": True,
        "step": 3,
        "last_step": 5,
        "title": "Een registratie gaat van 'aangevraagd' naar 'geregistreerd'.",
        "expect": "listed",
        "news": ["Impact Hotspot Zwolle takes 'Vacature' off its feed"],
        "scrapes": [{"label": "pso", "ok": True}],
        "feeds": [
            {"hotspot": "zwolle", "feed": "news", "ok": True, "withdrawn": 1, "items": 3},
            {"hotspot": "zwolle", "feed": "agenda", "ok": True},
            {"hotspot": "deventer", "feed": "news", "ok": False, "reason": "nats: timeout"},
        ],
    }
    assert describe(answer) == [
        "Stap 3 van 5: Een registratie gaat van 'aangevraagd' naar 'geregistreerd'.",
        "  watch: listed",
        "  news:  Impact Hotspot Zwolle takes 'Vacature' off its feed",
        "  scraped: pso ok",
        "  feeds read: zwolle news ok (1 withdrawn), zwolle agenda ok, "
        "deventer news failed (nats: timeout)",
    ]


def test_a_demo_without_hotspots_tells_its_steps_as_before() -> None:
    answer = {"advanced": True, "step": 1, "last_step": 5, "title": "T", "expect": "E"}
    assert describe(answer | {"scrapes": [{"label": "pso", "ok": True}]}) == [
        "Stap 1 van 5: T",
        "  watch: E",
        "  scraped: pso ok",
    ]
