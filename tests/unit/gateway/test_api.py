"""The JSON API over a seeded read model: search, filters, facets, paging, errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.unit


async def _search(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/api/v1/enterprises", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _names(body: dict[str, Any]) -> list[str]:
    return [item["name"] for item in body["items"]]


async def test_search_without_filters_lists_every_listed_enterprise_by_name(
    client: httpx.AsyncClient,
) -> None:
    body = await _search(client)
    assert body["total"] == 25
    assert (body["page"], body["page_size"]) == (1, 20)
    assert _names(body)[:3] == ["Aspirant Koffie", "Bakkerij 01", "Bakkerij 02"]
    assert "Verlopen Bakkerij" not in _names(body)


async def test_item_carries_the_public_fields(client: httpx.AsyncClient) -> None:
    body = await _search(client, q="kringloop")
    (item,) = body["items"]
    assert set(item) >= {
        "enterprise_id",
        "name",
        "place",
        "municipality",
        "province",
        "region",
        "website",
        "kvk",
        "labels",
        "themes",
        "listed_since",
        "grace_until",
    }
    (label,) = item["labels"]
    assert set(label) >= {
        "label",
        "level",
        "pso30plus",
        "status",
        "valid_from",
        "valid_until",
        "grace_until",
        "last_verified_at",
        "source_url",
    }
    assert (label["label"], label["level"], label["pso30plus"]) == ("pso", "trede-3", True)
    assert item["grace_until"] is None and label["grace_until"] is None


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("KRINGLOOP", ["Kringloop Twente"]),
        ("zwolle", ["De Groene Fietser", "Soweco"]),
        ("circulaire", ["De Groene Fietser", "Kringloop Twente"]),
        ("trede 3", ["Kringloop Twente"]),
        ("boost", ["Tunga"]),
        ("groene zwolle", ["De Groene Fietser"]),
        ("pso 30+", ["Kringloop Twente"]),
        ("ietser", []),
    ],
)
async def test_text_search_matches_word_starts_in_name_place_themes_and_levels(
    client: httpx.AsyncClient,
    q: str,
    expected: list[str],
) -> None:
    assert _names(await _search(client, q=q)) == expected


async def test_repeated_label_filter_matches_any_of_them(client: httpx.AsyncClient) -> None:
    body = await _search(client, label=["codeso", "senl"])
    assert _names(body) == ["Aspirant Koffie", "De Groene Fietser", "Tunga"]


async def test_label_filter_ignores_holdings_that_do_not_count(client: httpx.AsyncClient) -> None:
    body = await _search(client, label="pso", page_size=100)
    assert body["total"] == 22
    assert "Aspirant Koffie" not in _names(body)


async def test_place_filters_are_case_insensitive_and_combine(client: httpx.AsyncClient) -> None:
    assert _names(await _search(client, province="noord-holland")) == ["Tunga"]
    body = await _search(client, region="Regio Zwolle", municipality="Zwolle", label="cedris")
    assert _names(body) == ["Soweco"]


async def test_pages_split_the_results_in_name_order(client: httpx.AsyncClient) -> None:
    first = await _search(client, page_size=10)
    third = await _search(client, page_size=10, page=3)
    beyond = await _search(client, page_size=10, page=4)
    assert len(first["items"]) == 10 and len(third["items"]) == 5
    assert third["total"] == 25
    assert _names(third) == [
        "Bakkerij 20",
        "De Groene Fietser",
        "Kringloop Twente",
        "Soweco",
        "Tunga",
    ]
    assert beyond["items"] == [] and beyond["total"] == 25


async def test_facets_count_the_filtered_set(client: httpx.AsyncClient) -> None:
    facets = (await _search(client, q="zwolle"))["facets"]
    assert facets["label"] == {"pso": 1, "codeso": 1, "senl": 0, "cedris": 1}
    assert facets["province"] == {"Overijssel": 2}
    assert facets["municipality"] == {"Zwolle": 2}


async def test_each_facet_ignores_its_own_filter(client: httpx.AsyncClient) -> None:
    facets = (await _search(client, label="senl", province="Overijssel"))["facets"]
    assert facets["label"] == {"pso": 2, "codeso": 1, "senl": 0, "cedris": 1}
    assert facets["province"] == {"Noord-Holland": 1}
    assert facets["region"] == {}


async def test_one_enterprise_by_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/enterprises/tunga")
    assert response.status_code == 200
    assert response.json()["labels"][0]["level"] == "boost"


async def test_unknown_enterprise_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/enterprises/nobody")
    assert response.status_code == 404
    assert response.json() == {"detail": "Enterprise not found"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": 0}, "page"),
        ({"page": "twee"}, "page"),
        ({"page": 10**12}, "page"),
        ({"page_size": 1000}, "page_size"),
        ({"page_size": 0}, "page_size"),
        ({"q": "x" * 201}, "q"),
        ({"province": "p" * 101}, "province"),
    ],
)
async def test_invalid_parameters_are_422_naming_the_parameter(
    client: httpx.AsyncClient,
    params: dict[str, Any],
    field: str,
) -> None:
    response = await client.get("/api/v1/enterprises", params=params)
    assert response.status_code == 422
    assert [e["loc"][1] for e in response.json()["detail"]] == [field]


async def test_unknown_label_is_422_listing_the_allowed_labels(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/enterprises", params={"label": ["pso", "foo"]})
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["query", "label", 1]
    assert all(name in error["msg"] for name in ("pso", "codeso", "senl", "cedris"))


@pytest.mark.parametrize(
    ("q", "total"),
    [
        ("' OR 1=1 --", 0),
        ("_akkerij", 0),
        ("bakker%", 20),
        ("%", 25),
        ("\x00", 25),
        ("\\", 25),
    ],
)
async def test_search_text_is_words_never_patterns_or_sql(
    client: httpx.AsyncClient,
    q: str,
    total: int,
) -> None:
    assert (await _search(client, q=q, page_size=100))["total"] == total


async def test_sources_tell_how_fresh_each_registry_is(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/sources")
    assert response.status_code == 200
    items = {s["label"]: s for s in response.json()["items"]}
    assert list(items) == ["pso", "codeso", "senl", "cedris"]
    assert items["pso"]["last_success_at"] == "2025-03-01T09:05:00Z"
    assert (items["pso"]["holdings"], items["pso"]["counting"]) == (120, 110)
    assert items["pso"]["next_run_at"] == "2025-03-01T15:00:00Z"
    assert items["codeso"]["last_failure_reason"] == "403 <b>nonce</b>"
    assert items["codeso"]["last_success_at"] is None
    assert items["codeso"]["name"] == "Code Sociale Ondernemingen"


async def test_health_reports_read_model_size_and_no_nats(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200  # liveness: serving, whatever the platform's state
    body = response.json()
    assert {k: body[k] for k in ("nats_connected", "feed_started")} == {
        "nats_connected": False,
        "feed_started": False,
    }
    assert (body["enterprises_listed"], body["events_processed"]) == (25, 29)
    assert body["status"] == "degraded"
    assert body["problems"] == [
        "not connected to NATS",
        "read model feed not started",
        "scraper: unreachable",
        "registry: unreachable",
        "notifier: unreachable",
    ]
    assert [(s["service"], s["status"], s["problems"]) for s in body["services"]] == [
        (name, "unreachable", ["not connected to NATS"])
        for name in ("scraper", "registry", "notifier")
    ]
    assert (body["consumers"], body["dead_letters"]) == ([], None)


async def test_openapi_document_and_docs_are_served(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert spec["info"]["title"] == "impactoost buyers API"
    assert {
        "/api/v1/enterprises",
        "/api/v1/enterprises/{enterprise_id}",
        "/api/v1/sources",
        "/healthz",
    } <= set(spec["paths"])
    assert "/" not in spec["paths"]
    assert (await client.get("/docs")).status_code == 200


async def test_unknown_api_path_is_a_json_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


async def test_grace_period_is_exposed_on_the_enterprise_and_its_labels(
    grace_client: httpx.AsyncClient,
) -> None:
    body = await _search(grace_client)
    items = {item["enterprise_id"]: item for item in body["items"]}
    assert set(items) == {"kringloop", "soweco"}
    kringloop = items["kringloop"]
    assert kringloop["grace_until"] == "2026-04-11"
    assert [(h["status"], h["grace_until"]) for h in kringloop["labels"]] == [
        ("verlopen", "2026-04-11")
    ]
    soweco = items["soweco"]
    assert soweco["grace_until"] is None
    assert [(h["label"], h["grace_until"]) for h in soweco["labels"]] == [
        ("pso", "2026-04-11"),
        ("cedris", None),
    ]
    one = (await grace_client.get("/api/v1/enterprises/kringloop")).json()
    assert one["grace_until"] == "2026-04-11"


async def test_an_enterprise_that_left_the_region_is_410(
    grace_client: httpx.AsyncClient,
) -> None:
    response = await grace_client.get("/api/v1/enterprises/verhuisd")
    assert response.status_code == 410
    assert response.json()["reason"] == "outside_region"


async def test_openapi_documents_grace_until_on_enterprises_and_labels(
    client: httpx.AsyncClient,
) -> None:
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    for model in ("EnterpriseView", "LabelView"):
        field = schemas[model]["properties"]["grace_until"]
        assert {"type": "string", "format": "date"} in field["anyOf"]
        assert "hercertificering loopt" in field["description"]
