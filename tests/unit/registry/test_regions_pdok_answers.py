"""How the PDOK resolver reads Locatieserver answers (in-memory transport, no sockets)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from services.registry.regions import PdokResolver, municipality_by_code

pytestmark = pytest.mark.unit


def doc(**fields: Any) -> dict[str, Any]:
    base = {
        "type": "woonplaats",
        "woonplaatsnaam": "Lemmer",
        "gemeentecode": "1940",
        "gemeentenaam": "De Fryske Marren",
        "provincienaam": "Fryslân",
    }
    return {**base, **fields}


async def resolve(body: object, place: str = "Lemmer") -> tuple[str, str, str | None]:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text=json.dumps(body))

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        resolution = await PdokResolver(http).resolve(place)
    code = resolution.municipality.code if resolution.municipality else None
    return resolution.status, resolution.detail, code


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"response": {"docs": "Lemmer"}},
        {"response": {"docs": ["Lemmer"]}},
        {"response": {"docs": [doc(gemeentenaam=None)]}},
        {"response": {"docs": [doc(provincienaam="")]}},
        {"response": {"docs": [doc(gemeentecode=1940)]}},
    ],
)
async def test_a_malformed_answer_leaves_the_place_unresolved(body: object) -> None:
    status, detail, code = await resolve(body)
    assert (status, code) == ("unresolved", None)
    assert detail.startswith("PDOK: answer")


async def test_documents_of_other_types_are_ignored() -> None:
    body = {"response": {"docs": [doc(type="adres", woonplaatsnaam=None), doc()]}}
    assert await resolve(body) == ("pdok", "PDOK: De Fryske Marren", "GM1940")


async def test_a_municipality_is_found_by_name_when_the_answer_has_no_code() -> None:
    body = {"response": {"docs": [doc(gemeentecode=None)]}}
    assert (await resolve(body))[2] == "GM1940"


@pytest.mark.parametrize(
    "fields",
    [
        {"gemeentecode": "2001", "gemeentenaam": "Nieuwe Gemeente"},
        {"gemeentecode": "2001"},
        {"gemeentecode": None, "gemeentenaam": "Nieuwe Gemeente"},
    ],
)
async def test_a_municipality_we_do_not_know_is_not_guessed(fields: dict[str, Any]) -> None:
    status, detail, code = await resolve({"response": {"docs": [doc(**fields)]}})
    assert (status, code) == ("unresolved", None)
    assert "not in our list" in detail


async def test_a_province_that_does_not_fit_the_qualifier_is_not_asked_for() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as http:
        resolver = PdokResolver(http)
        conflicting = await resolver.resolve("Hengelo (Gld)", province="Overijssel")
        unknown = await resolver.resolve("Lemmer", province="Atlantis")
    assert conflicting.status == unknown.status == "unresolved"
    assert municipality_by_code("GM1940") is not None


async def test_a_misconfigured_address_leaves_the_place_unresolved() -> None:
    async with httpx.AsyncClient() as http:
        resolution = await PdokResolver(http, base_url="nonsense://").resolve("Lemmer")
    assert resolution.status == "unresolved"
    assert "unreachable" in resolution.detail
