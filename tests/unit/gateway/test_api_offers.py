"""The JSON API tells buyers what enterprises offer and where: categories with CPV codes,
the enterprise's own supplement, filters and facets by category and delivery area."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from contracts.categories import categories_by_slug
from tests.unit.gateway.conftest import client_for
from tests.unit.gateway.events import listed, supplement

pytestmark = pytest.mark.unit


async def _get(client: httpx.AsyncClient, url: str, **params: Any) -> dict[str, Any]:
    response = await client.get(url, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_categories_filter_several_at_once_and_facet_every_category(
    offers_client: httpx.AsyncClient,
) -> None:
    body = await _get(
        offers_client, "/api/v1/enterprises", category=["schoonmaak", "voeding-en-streekproducten"]
    )
    assert [item["name"] for item in body["items"]] == ["Branderij Oost", "Schoon Schip"]
    assert list(body["facets"]["category"]) == list(categories_by_slug())
    assert body["facets"]["category"]["catering"] == 4
    assert body["facets"]["category"]["wasserij"] == 0


async def test_delivery_area_filter_takes_region_names_in_any_case(
    offers_client: httpx.AsyncClient,
) -> None:
    body = await _get(offers_client, "/api/v1/enterprises", delivery_area="regio zwolle")
    assert [item["name"] for item in body["items"]] == ["Koks in de Maak"]
    assert body["facets"]["delivery_area"]["Twente"] == 4


async def test_an_enterprise_shows_its_categories_with_cpv_codes_in_dutch(
    offers_client: httpx.AsyncClient,
) -> None:
    koks = await _get(offers_client, "/api/v1/enterprises/koks")
    assert [c["slug"] for c in koks["categories"]] == [
        "catering",
        "re-integratie-en-arbeidsontwikkeling",
    ]
    catering = koks["categories"][0]
    assert catering["name"] == "Catering"
    assert catering["cpv"][0] == {"code": "55520000-1", "description": "Cateringdiensten"}
    assert koks["categories_chosen"] is False
    assert koks["supplement"]["delivery_areas"] == ["heel Nederland"]


async def test_an_enterprise_shows_its_supplement_and_registry_summary(
    offers_client: httpx.AsyncClient,
) -> None:
    branderij = await _get(offers_client, "/api/v1/enterprises/branderij")
    assert branderij["categories_chosen"] is True
    assert branderij["supplement"] == {
        "description": "Wij branden bonen uit eerlijke handel.\nOok voor uw kantoor.",
        "keywords": ["espresso", "Fairtrade"],
        "delivery_areas": [],
        "contact": {"name": "Fleur Jansen", "email": "inkoop@branderij.example", "phone": None},
        "website": None,
        "updated_at": "2026-03-10T09:30:00Z",
    }
    lunchroom = await _get(offers_client, "/api/v1/enterprises/lunchroom")
    assert lunchroom["summary"].startswith("Lunchroom waar mensen")
    assert lunchroom["summary_label"] == "pso"
    assert lunchroom["supplement"] is None


@pytest.mark.parametrize(
    ("registry", "own", "expected"),
    [
        (
            "https://registry.example/",
            "https://eigen.example/",
            ("https://registry.example/", "registry"),
        ),
        (None, "https://eigen.example/", ("https://eigen.example/", "enterprise")),
        (None, None, (None, None)),
    ],
)
async def test_the_website_is_the_registry_s_else_the_enterprise_s_marked_which(
    registry: str | None, own: str | None, expected: tuple[str | None, str | None]
) -> None:
    event = listed("e1", website=registry, supplement=supplement(website=own))
    async with client_for(event) as client:
        body = await _get(client, "/api/v1/enterprises/e1")
    assert (body["website"], body["website_source"]) == expected


@pytest.mark.parametrize(
    ("params", "loc", "words"),
    [
        (
            {"category": ["catering", "taart"]},
            ["query", "category", 1],
            ["taart", "catering", "wasserij"],
        ),
        ({"category": "x" * 61}, ["query", "category", 0], ["at most 60"]),
        (
            {"delivery_area": "Mordor"},
            ["query", "delivery_area", 0],
            ["labour-market region", "Mordor"],
        ),
    ],
)
async def test_unknown_categories_and_delivery_areas_are_422_saying_why(
    offers_client: httpx.AsyncClient, params: dict[str, Any], loc: list[object], words: list[str]
) -> None:
    response = await offers_client.get("/api/v1/enterprises", params=params)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == loc
    assert all(word in error["msg"] for word in words)
