"""The polite client over real HTTP against a demo site that gzips as the registries' hosts do:
bytes counted as sent and as decoded, weak ETags answered 304, a gzip bomb refused."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace

import httpx
import pytest

from services.demo.sites.server import DEFAULT_ROBOTS, DemoSite, Response
from services.scraper.errors import FetchFailed
from services.scraper.http import CachedPage, PoliteClient, make_http_client
from tests.integration.scraper.helpers import local_policy

pytestmark = pytest.mark.integration
PAGE = "<ul>" + "<li>Sociale onderneming uit Gelderland</li>" * 200 + "</ul>"
BOMB = "0" * 20_000_000  # gzips to some 20 kB


def render(path: str, query: dict[str, list[str]]) -> Response:
    if path == "/register/":
        return Response(200, PAGE)
    if path == "/bom/":
        return Response(200, BOMB)
    return Response(404, "<p>niet gevonden</p>")


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    site = DemoSite(render)
    yield site
    site.stop()


async def fetch(
    site: DemoSite, path: str, cache: Mapping[str, CachedPage] | None = None
) -> PoliteClient:
    """A client of its own (as one run has) that has fetched `path`."""
    policy = local_policy(1000)
    async with make_http_client(policy) as http:
        client = PoliteClient(http, policy, cache_in=cache or {})
        await client.get(f"{site.base_url}{path}")
    return client


async def test_a_gzipped_page_counts_the_bytes_sent_and_the_bytes_decoded(site: DemoSite) -> None:
    async with httpx.AsyncClient() as http:
        sent = await http.get(f"{site.base_url}/register/", headers={"Accept-Encoding": "gzip"})
    assert sent.headers["Content-Encoding"] == "gzip"

    client = await fetch(site, "/register/")

    robots = len(DEFAULT_ROBOTS)  # below the minimum length: sent as it is
    assert client.counters.bytes_received == int(sent.headers["Content-Length"]) + robots
    assert client.counters.bytes_decoded == len(PAGE) + robots
    assert client.counters.bytes_received < client.counters.bytes_decoded / 5


async def test_the_weak_etag_of_a_gzipped_page_brings_a_304_on_the_next_run(
    site: DemoSite,
) -> None:
    first = await fetch(site, "/register/")
    url = f"{site.base_url}/register/"
    assert (first.cache_out[url].etag or "").startswith('W/"')

    second = await fetch(site, "/register/", cache=first.cache_out)

    assert second.counters.not_modified == 2  # robots.txt and the page
    assert second.counters.bytes_received == second.counters.bytes_decoded == 0
    assert second.cache_out[url].body == PAGE


async def test_a_gzip_bomb_is_refused_by_its_decoded_size(site: DemoSite) -> None:
    policy = replace(local_policy(1000), max_page_bytes=1_000_000)
    async with make_http_client(policy) as http:
        client = PoliteClient(http, policy)

        with pytest.raises(FetchFailed, match="larger than 1000000 bytes"):
            await client.get(f"{site.base_url}/bom/")

    assert client.counters.bytes_received < 100_000 < policy.max_page_bytes
    assert client.counters.bytes_decoded > policy.max_page_bytes
