"""The polite client: robots.txt, identification, rate, retries, conditional requests."""

from __future__ import annotations

import gzip
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from services.scraper.errors import FetchFailed, RobotsDisallowed
from services.scraper.http import CachedPage, retry_after_seconds
from tests.unit.scraper.fakes import BASE, POLICY, FakeWeb, VirtualTime, polite_client

pytestmark = pytest.mark.unit
PAGE = f"{BASE}/pso-register/?pagina=1"


def robots(web: FakeWeb, text: str) -> FakeWeb:
    return web.serve(f"{BASE}/robots.txt", httpx.Response(200, text=text))


async def test_requests_name_the_platform_and_a_contact_url() -> None:
    web = FakeWeb().html(PAGE, "<p>ok</p>")
    await polite_client(web).get(PAGE)
    assert {r.headers["User-Agent"] for r in web.requests} == {POLICY.user_agent}


async def test_robots_txt_is_read_once_per_host_per_run() -> None:
    web = robots(FakeWeb(), "User-agent: *\nAllow: /\n").html(PAGE, "a")
    web.html(f"{BASE}/pso-register/?pagina=2", "b").html("https://other.test/x", "c")
    client = polite_client(web)
    for url in (PAGE, f"{BASE}/pso-register/?pagina=2", "https://other.test/x"):
        await client.get(url)
    assert [str(r.url) for r in web.requests].count(f"{BASE}/robots.txt") == 1
    assert "https://other.test/robots.txt" in [str(r.url) for r in web.requests]


async def test_a_disallowed_url_is_never_requested() -> None:
    web = robots(FakeWeb(), "User-agent: *\nDisallow: /pso-register/\n").html(PAGE, "a")
    with pytest.raises(RobotsDisallowed, match="does not allow"):
        await polite_client(web).get(PAGE)
    assert web.paths() == ["/robots.txt"]


async def test_rules_for_our_own_user_agent_apply() -> None:
    rules = "User-agent: impactoost-test\nDisallow: /\n\nUser-agent: *\nAllow: /\n"
    web = robots(FakeWeb(), rules).html(PAGE, "a")
    with pytest.raises(RobotsDisallowed):
        await polite_client(web).get(PAGE)


@pytest.mark.parametrize(
    ("status", "allowed"), [(404, True), (410, True), (403, False), (401, False)]
)
async def test_robots_txt_status_decides_as_rfc_9309_says(status: int, allowed: bool) -> None:
    web = FakeWeb().serve(f"{BASE}/robots.txt", httpx.Response(status)).html(PAGE, "a")
    client = polite_client(web)
    if allowed:
        assert (await client.get(PAGE)).text == "a"
    else:
        with pytest.raises(RobotsDisallowed):
            await client.get(PAGE)


async def test_an_unreachable_robots_txt_keeps_us_out() -> None:
    web = FakeWeb().serve(f"{BASE}/robots.txt", httpx.Response(503)).html(PAGE, "a")
    with pytest.raises(RobotsDisallowed, match=r"unavailable.*HTTP 503"):
        await polite_client(web).get(PAGE)
    assert PAGE not in [str(r.url) for r in web.requests]


async def test_server_errors_are_retried_with_exponential_backoff() -> None:
    time = VirtualTime()
    web = FakeWeb().serve(
        PAGE, httpx.Response(502), httpx.Response(500), httpx.Response(200, text="eindelijk")
    )
    page = await polite_client(web, time).get(PAGE)
    assert page.text == "eindelijk"
    assert time.waits() == [1.0, 2.0]


async def test_persistent_server_errors_fail_with_the_last_status() -> None:
    web = FakeWeb().serve(PAGE, httpx.Response(500))
    with pytest.raises(FetchFailed, match=r"failed after 3 attempts: HTTP 500") as caught:
        await polite_client(web).get(PAGE)
    assert caught.value.status == 500
    assert web.paths().count("/pso-register/?pagina=1") == 3


async def test_connection_errors_and_timeouts_are_retried() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    web = FakeWeb().serve(PAGE, refuse, slow, httpx.Response(200, text="ok"))
    assert (await polite_client(web).get(PAGE)).text == "ok"
    web = FakeWeb().serve(PAGE, refuse)
    with pytest.raises(FetchFailed, match="ConnectError"):
        await polite_client(web).get(PAGE)


async def test_client_errors_are_not_retried() -> None:
    web = FakeWeb()
    with pytest.raises(FetchFailed, match="HTTP 404") as caught:
        await polite_client(web).get(PAGE)
    assert caught.value.status == 404
    assert web.paths().count("/pso-register/?pagina=1") == 1


async def test_retry_after_in_seconds_is_honoured() -> None:
    time = VirtualTime()
    web = FakeWeb().serve(
        PAGE, httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, text="ok")
    )
    await polite_client(web, time).get(PAGE)
    assert time.waits() == [7.0]


async def test_retry_after_as_a_date_is_honoured() -> None:
    time = VirtualTime()
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    web = FakeWeb().serve(
        PAGE, httpx.Response(503, headers={"Retry-After": when}), httpx.Response(200, text="ok")
    )
    await polite_client(web, time).get(PAGE)
    assert len(time.waits()) == 1 and 25 <= time.waits()[0] <= 30


async def test_a_retry_after_longer_than_we_wait_fails_at_once() -> None:
    time = VirtualTime()
    web = FakeWeb().serve(PAGE, httpx.Response(429, headers={"Retry-After": "3600"}))
    with pytest.raises(FetchFailed, match="wait 3600s"):
        await polite_client(web, time).get(PAGE)
    assert time.waits() == []


def test_retry_after_values_are_parsed() -> None:
    now = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("0.5") == 0.5
    assert retry_after_seconds("Sun, 01 Jun 2025 12:01:00 GMT", now) == 60.0
    assert retry_after_seconds("Sun, 01 Jun 2025 11:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


async def test_requests_to_one_host_keep_to_the_rate() -> None:
    time = VirtualTime()
    policy = replace(POLICY, requests_per_second=2.0)
    web = FakeWeb().html(PAGE, "a").html("https://other.test/x", "b")
    client = polite_client(web, time, policy)
    for _ in range(3):
        await client.get(PAGE)
    assert time.waits() == [0.5, 0.5, 0.5]  # robots.txt, then three pages, 0.5 s apart
    await client.get("https://other.test/x")
    assert time.waits() == [0.5, 0.5, 0.5, 0.5]  # other.test's robots.txt went first


async def test_a_crawl_delay_slows_us_down_further() -> None:
    time = VirtualTime()
    web = robots(FakeWeb(), "User-agent: *\nCrawl-delay: 5\n").html(PAGE, "a")
    client = polite_client(web, time)
    await client.get(PAGE)
    await client.get(PAGE)
    assert time.waits() == [5.0, 5.0]


async def test_validators_are_sent_and_a_304_reuses_the_stored_page() -> None:
    cache = {
        PAGE: CachedPage(
            etag='"v1"', last_modified="Sun, 01 Jun 2025 10:00:00 GMT", body="<p>bewaard</p>"
        )
    }
    web = FakeWeb().serve(PAGE, httpx.Response(304, headers={"ETag": '"v1"'}))
    client = polite_client(web, cache_in=cache)
    page = await client.get(PAGE)
    request = web.requests[-1]
    assert request.headers["If-None-Match"] == '"v1"'
    assert request.headers["If-Modified-Since"] == "Sun, 01 Jun 2025 10:00:00 GMT"
    assert (page.text, page.not_modified) == ("<p>bewaard</p>", True)
    assert client.counters.not_modified == 1 and client.counters.pages_fetched == 0
    assert client.cache_out[PAGE] == cache[PAGE]


async def test_a_changed_page_replaces_the_stored_one() -> None:
    cache = {PAGE: CachedPage(etag='"v1"', body="oud")}
    web = FakeWeb().html(PAGE, "nieuw", ETag='"v2"', **{"Last-Modified": "Mon, 02 Jun 2025"})
    client = polite_client(web, cache_in=cache)
    assert (await client.get(PAGE)).text == "nieuw"
    assert client.cache_out[PAGE] == CachedPage(
        etag='"v2"', last_modified="Mon, 02 Jun 2025", body="nieuw"
    )


async def test_a_fresh_get_sends_no_validators_and_replaces_the_stored_page() -> None:
    cache = {PAGE: CachedPage(etag='"v1"', last_modified="Sun, 01 Jun 2025", body="oude nonce")}
    web = FakeWeb().html(PAGE, "nieuwe nonce", ETag='"v2"')
    client = polite_client(web, cache_in=cache)
    assert (await client.get(PAGE, fresh=True)).text == "nieuwe nonce"
    request = web.requests[-1]
    assert "If-None-Match" not in request.headers
    assert "If-Modified-Since" not in request.headers
    assert client.cache_out[PAGE].body == "nieuwe nonce"


async def test_a_page_without_validators_is_not_cached_and_a_304_without_cache_fails() -> None:
    web = FakeWeb().html(PAGE, "zonder")
    client = polite_client(web)
    await client.get(PAGE)
    assert PAGE not in client.cache_out
    web = FakeWeb().serve(PAGE, httpx.Response(304))
    with pytest.raises(FetchFailed, match="HTTP 304"):
        await polite_client(web).get(PAGE)


async def test_counters_add_up_pages_304s_and_bytes() -> None:
    cache = {f"{BASE}/b": CachedPage(etag='"x"', body="b")}
    web = FakeWeb().html(f"{BASE}/a", "x" * 1000, ETag='"a"')
    web.serve(f"{BASE}/b", httpx.Response(304))
    client = polite_client(web, cache_in=cache)
    await client.get(f"{BASE}/a")
    await client.get(f"{BASE}/b")
    assert client.counters.pages_fetched == 1  # /a; the 404 for robots.txt is not a page
    assert client.counters.not_modified == 1
    assert client.counters.bytes_received >= 1000
    assert client.counters.bytes_decoded == client.counters.bytes_received  # none gzipped


async def test_a_gzipped_page_counts_the_bytes_sent_and_the_bytes_decoded() -> None:
    text = "<li>Sociale onderneming</li>" * 200
    sent = gzip.compress(text.encode())
    gzipped = {"Content-Encoding": "gzip", "Content-Type": "text/html; charset=utf-8"}
    web = FakeWeb().serve(PAGE, httpx.Response(200, content=sent, headers=gzipped))
    client = polite_client(web)

    page = await client.get(PAGE)

    assert page.text == text
    robots = len("niet gevonden")  # the 404 answer to robots.txt, sent as it is
    assert client.counters.bytes_received == len(sent) + robots
    assert client.counters.bytes_decoded == len(text) + robots


async def test_an_absurdly_large_page_is_refused() -> None:
    policy = replace(POLICY, max_page_bytes=10_000)
    web = FakeWeb().html(PAGE, "x" * 20_000)
    with pytest.raises(FetchFailed, match="larger than 10000 bytes"):
        await polite_client(web, policy=policy).get(PAGE)


async def test_a_small_gzip_bomb_is_refused_by_its_decoded_size() -> None:
    policy = replace(POLICY, max_page_bytes=1_000_000)
    bomb = gzip.compress(b"\0" * 20_000_000)
    gzipped = {"Content-Encoding": "gzip", "Content-Type": "text/html"}
    web = FakeWeb().serve(PAGE, httpx.Response(200, content=bomb, headers=gzipped))
    client = polite_client(web, policy=policy)

    with pytest.raises(FetchFailed, match="larger than 1000000 bytes"):
        await client.get(PAGE)
    assert len(bomb) < 100_000 < policy.max_page_bytes < client.counters.bytes_decoded
