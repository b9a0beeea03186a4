"""The PDOK resolver against Locatieserver answers played back by a local HTTP server."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from services.demo.sites.server import DemoSite, Response
from services.kit.processes import free_port
from services.registry.regions import (
    BundledResolver,
    ChainResolver,
    PdokCache,
    PdokResolver,
    municipality_by_code,
    pdok_client,
)

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).parents[2] / "fixtures" / "pdok"
ANSWERS = {
    "Lemmer": "lemmer.json",
    "Noordwolde": "noordwolde.json",
    "Oosterwolde": "oosterwolde.json",
    "Lemmmer": "near_miss.json",
    "Xyzdorp": "empty.json",
    "Broken": "truncated.json",
}
FREE = "/bzk/locatieserver/search/v3_1/free"


def locatieserver(path: str, query: dict[str, list[str]]) -> Response:
    """The Locatieserver's free search, answering from the fixture files."""
    if path != FREE or query.get("fq") != ["type:woonplaats"] or "rows" not in query:
        return Response(400, '{"error": "bad request"}', "application/json")
    fixture = ANSWERS.get(query.get("q", [""])[0], "empty.json")
    body = (FIXTURES / fixture).read_text(encoding="utf-8")
    return Response(200, body, "application/json;charset=UTF-8")


@pytest.fixture
def site() -> Iterator[DemoSite]:
    site = DemoSite(locatieserver)
    yield site
    site.stop()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with pdok_client("impactoost-tests") as client:
        yield client


def pdok(site: DemoSite, http: httpx.AsyncClient, cache: PdokCache | None = None) -> PdokResolver:
    return PdokResolver(
        http,
        base_url=site.base_url + "/bzk/locatieserver/search/v3_1",
        cache=cache or PdokCache(),
    )


def asked(site: DemoSite) -> list[str]:
    assert all(r.user_agent == "impactoost-tests" for r in site.requests)
    return [parse_qs(urlsplit(r.path).query)["q"][0] for r in site.requests]


async def test_a_place_pdok_knows_once_resolves_to_its_municipality(
    site: DemoSite, http: httpx.AsyncClient
) -> None:
    resolution = await pdok(site, http).resolve("Lemmer")
    assert resolution.status == "pdok"
    assert resolution.municipality == municipality_by_code("GM1940")
    assert asked(site) == ["Lemmer"]


async def test_a_name_of_places_in_two_municipalities_is_ambiguous(
    site: DemoSite, http: httpx.AsyncClient
) -> None:
    resolver = pdok(site, http)
    resolution = await resolver.resolve("Noordwolde")
    assert resolution.status == "ambiguous"
    assert resolution.municipality is None
    assert {m.name for m in resolution.candidates} == {"Weststellingwerf", "Het Hogeland"}
    in_friesland = await resolver.resolve("Noordwolde", province="Friesland")
    assert in_friesland.municipality == municipality_by_code("GM0098")
    assert asked(site) == ["Noordwolde"]


async def test_a_bare_name_means_the_place_bag_names_so_not_its_qualified_namesake(
    site: DemoSite, http: httpx.AsyncClient
) -> None:
    resolver = pdok(site, http)
    assert (await resolver.resolve("Oosterwolde")).municipality == municipality_by_code("GM0085")
    qualified = await resolver.resolve("Oosterwolde (Gld)")
    assert qualified.municipality == municipality_by_code("GM0269")


async def test_an_empty_answer_leaves_the_place_unresolved(
    site: DemoSite, http: httpx.AsyncClient
) -> None:
    resolution = await pdok(site, http).resolve("Xyzdorp")
    assert (resolution.status, resolution.municipality) == ("unresolved", None)
    assert "no woonplaats of that name" in resolution.detail


async def test_a_loose_match_for_a_misspelling_is_not_taken(
    site: DemoSite, http: httpx.AsyncClient
) -> None:
    resolution = await pdok(site, http).resolve("Lemmmer")
    assert resolution.status == "unresolved"
    assert "Lemmer" in resolution.detail


async def test_a_failing_service_leaves_the_place_unresolved_with_the_reason_and_is_asked_again(
    site: DemoSite, http: httpx.AsyncClient
) -> None:
    resolver = pdok(site, http)
    site.fail_next(1, status=503, path=FREE)
    failed = await resolver.resolve("Lemmer")
    assert failed.status == "unresolved"
    assert "HTTP 503" in failed.detail
    assert (await resolver.resolve("Lemmer")).status == "pdok"
    assert asked(site) == ["Lemmer", "Lemmer"]


async def test_a_malformed_answer_leaves_the_place_unresolved(
    site: DemoSite, http: httpx.AsyncClient
) -> None:
    resolution = await pdok(site, http).resolve("Broken")
    assert resolution.status == "unresolved"
    assert "not JSON" in resolution.detail


async def test_an_answer_is_asked_for_once_and_kept_in_the_cache_file(
    site: DemoSite, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    path = tmp_path / "pdok-cache.json"
    first = pdok(site, http, PdokCache(path))
    assert (await first.resolve("Lemmer")).status == "pdok"
    assert (await first.resolve("lemmer")).status == "pdok"
    assert (await first.resolve("Xyzdorp")).status == "unresolved"
    assert (await first.resolve("Xyzdorp")).status == "unresolved"
    assert asked(site) == ["Lemmer", "Xyzdorp"]
    later = pdok(site, http, PdokCache(path))
    assert (await later.resolve("Lemmer")).municipality == municipality_by_code("GM1940")
    assert asked(site) == ["Lemmer", "Xyzdorp"]


async def test_an_unreachable_service_leaves_the_place_unresolved(
    http: httpx.AsyncClient,
) -> None:
    base_url = f"http://127.0.0.1:{free_port()}/bzk/locatieserver/search/v3_1"
    resolution = await PdokResolver(http, base_url=base_url).resolve("Lemmer")
    assert (resolution.status, resolution.municipality) == ("unresolved", None)
    assert "unreachable" in resolution.detail


async def test_the_chain_places_bundled_names_without_asking_pdok(
    site: DemoSite, http: httpx.AsyncClient
) -> None:
    chain = ChainResolver(BundledResolver(), pdok(site, http))
    assert (await chain.resolve("Hengelo (Gld)")).status == "bundled"
    assert (await chain.resolve("Klarenbeek")).status == "ambiguous"
    assert (await chain.resolve("Lemmer")).status == "pdok"
    unknown = await chain.resolve("Xyzdorp")
    assert unknown.status == "unresolved"
    assert "bundled data" in unknown.detail and "PDOK" in unknown.detail
    assert asked(site) == ["Lemmer", "Xyzdorp"]


async def test_a_slow_service_leaves_the_place_unresolved_after_the_timeout(
    http: httpx.AsyncClient,
) -> None:
    def slow(path: str, query: dict[str, list[str]]) -> Response:
        time.sleep(1.0)
        return locatieserver(path, query)

    site = DemoSite(slow)
    try:
        resolver = PdokResolver(
            http, base_url=site.base_url + "/bzk/locatieserver/search/v3_1", timeout_seconds=0.2
        )
        resolution = await resolver.resolve("Lemmer")
    finally:
        site.stop()
    assert resolution.status == "unresolved"
    assert "no answer within 0.2s" in resolution.detail
