"""The scraper's settings and app factory, without connecting to anything."""

from __future__ import annotations

import json

import pytest

from contracts.subjects import SCRAPE_COMMANDS
from services.kit.settings import ConfigError, load_settings
from services.scraper.config import ScraperSettings
from services.scraper.main import asyncapi_json, create_app

pytestmark = pytest.mark.unit


def test_settings_come_from_the_documented_environment_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IMPACTOOST_PSO_BASE_URL", "http://127.0.0.1:8123")
    monkeypatch.setenv("IMPACTOOST_SCRAPE_INTERVAL_SECONDS", "60")
    monkeypatch.setenv("IMPACTOOST_SCRAPE_REQUEST_RATE", "2")
    monkeypatch.setenv("IMPACTOOST_SCRAPE_MIN_HOLDINGS_RATIO", "0.8")
    monkeypatch.setenv("IMPACTOOST_USER_AGENT", "impactoost/2 (+https://example.org/bot)")
    settings = load_settings(ScraperSettings)
    assert settings.base_url("pso") == "http://127.0.0.1:8123"
    assert settings.scrape_interval_seconds == 60
    policy = settings.http_policy()
    assert policy.requests_per_second == 2 and policy.user_agent.startswith("impactoost/2")
    assert settings.scrape_min_holdings_ratio == 0.8


def test_the_default_holdings_ratio_is_one_half() -> None:
    assert ScraperSettings().scrape_min_holdings_ratio == 0.5


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("user_agent", "impactoost zonder contact"),
        ("scrape_request_rate", 0),
        ("scrape_min_holdings_ratio", 1.5),
        ("pso_base_url", "ftp://pso.example"),
    ],
)
def test_invalid_settings_are_refused_in_one_line(field: str, value: object) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(ScraperSettings, **{field: value})
    assert f"IMPACTOOST_{field.upper()}" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_asyncapi_document_lists_what_the_scraper_publishes_and_hears() -> None:
    document = json.loads(asyncapi_json(ScraperSettings(nats_url="nats://127.0.0.1:1")))
    channels = json.dumps(document["channels"])
    for subject in (
        "impact.v1.labels.pso.granted",
        "impact.v1.labels.pso.changed",
        "impact.v1.labels.pso.lapsed",
        "impact.v1.scrapes.pso.completed",
        "impact.v1.scrapes.pso.failed",
        SCRAPE_COMMANDS,
    ):
        assert subject in channels
    assert "LabelLapsed" in json.dumps(document["components"])


def test_creating_the_app_connects_to_nothing() -> None:
    app = create_app(ScraperSettings(nats_url="nats://127.0.0.1:1"))
    assert app.broker is not None
