"""The composition root builds without connecting; pagination links are computed right."""

from __future__ import annotations

import json

import pytest

from services.gateway.config import GatewaySettings
from services.gateway.main import asyncapi_json
from services.gateway.pages.enterprises import paginate
from services.gateway.read_model.queries import SearchQuery

pytestmark = pytest.mark.unit


def test_asyncapi_document_lists_every_channel_without_connecting() -> None:
    settings = GatewaySettings(nats_url="nats://127.0.0.1:1", gateway_database_url="sqlite://")
    document = json.loads(asyncapi_json(settings))
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert addresses == {
        "impact.v1.enterprises.*.*.*",
        "impact.v1.scrapes.*.*",
        "impact.v1.news.*.*",
        "impact.v1.agenda.*.*",
        "impact.v1.signin.link_issued",
        "impact.v1.signin.requested",
        "impact.v1.signin.editor_granted",
        "impact.v1.signin.editor_link_issued",
        "impact.v1.supplements.submitted",
        "impact.v1.preferences.mail",
        "impact.v1.alerts.confirmation_requested",
        "impact.v1.alerts.digest_ready",
        "impactoost.deadletters.gateway.*",
        "impactoost.health.gateway",
    }
    assert document["info"]["title"] == "impactoost gateway"


def test_pagination_shows_first_last_and_nearby_pages_with_gaps() -> None:
    pages = paginate("/", SearchQuery(q="brood", page=10), total=400)
    numbers = [link.number if link.url else "…" for link in pages.links]
    assert numbers == [1, "…", 8, 9, 10, 11, 12, "…", 20]
    assert pages.previous == "/?q=brood&page=9"
    assert pages.next == "/?q=brood&page=11"
    assert [link.number for link in pages.links if link.current] == [10]


def test_single_page_needs_no_pagination() -> None:
    pages = paginate("/", SearchQuery(), total=3)
    assert (pages.previous, pages.next, pages.links) == (None, None, [])
