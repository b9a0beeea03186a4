"""The demo sites over real HTTP compress as the registries' hosts do, and still answer 304."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator

import httpx
import pytest

from services.demo.sites.server import DemoSite, Response

pytestmark = pytest.mark.integration
PAGE = "<ul>" + "<li>Sociale onderneming uit Twente</li>" * 100 + "</ul>"
ANSWER = json.dumps({"html": PAGE, "page": 2})


def render(path: str, query: dict[str, list[str]]) -> Response:
    if path == "/lijst/":
        return Response(200, PAGE)
    if path == "/kort/":
        return Response(200, "<p>kort</p>")
    return Response(404, "<p>niet gevonden</p>")


def post(path: str, body: bytes, headers: dict[str, str]) -> Response:
    return Response(200, ANSWER, "application/json; charset=UTF-8")


@pytest.fixture
def site() -> Iterator[DemoSite]:
    site = DemoSite(render, post=post)
    yield site
    site.stop()


def fetch(
    site: DemoSite, path: str, method: str = "GET", **headers: str
) -> tuple[httpx.Response, bytes]:
    """The answer and its body exactly as sent (not decoded)."""
    with (
        httpx.Client(base_url=site.base_url) as client,
        client.stream(
            method, path, headers=headers, content=b"{}" if method == "POST" else None
        ) as answer,
    ):
        return answer, b"".join(answer.iter_raw())


def test_a_large_page_goes_out_gzipped_with_a_weak_etag_to_a_client_that_accepts_gzip(
    site: DemoSite,
) -> None:
    answer, sent = fetch(site, "/lijst/", **{"Accept-Encoding": "gzip, deflate"})

    assert answer.status_code == 200
    assert answer.headers["Content-Encoding"] == "gzip"
    assert answer.headers["Vary"] == "Accept-Encoding"
    assert answer.headers["ETag"].startswith('W/"')
    assert int(answer.headers["Content-Length"]) == len(sent) < len(PAGE) / 5
    assert gzip.decompress(sent).decode() == PAGE


@pytest.mark.parametrize("accept_encoding", ["identity", "gzip;q=0", "gzip;q=0, *", "br"])
def test_a_client_that_refuses_gzip_gets_the_page_as_it_is_with_a_strong_etag(
    site: DemoSite, accept_encoding: str
) -> None:
    answer, sent = fetch(site, "/lijst/", **{"Accept-Encoding": accept_encoding})

    assert "Content-Encoding" not in answer.headers
    assert answer.headers["Vary"] == "Accept-Encoding"
    assert answer.headers["ETag"].startswith('"')
    assert sent.decode() == PAGE


def test_a_page_below_the_minimum_length_is_never_gzipped(site: DemoSite) -> None:
    answer, sent = fetch(site, "/kort/", **{"Accept-Encoding": "gzip"})

    assert "Content-Encoding" not in answer.headers and "Vary" not in answer.headers
    assert sent == b"<p>kort</p>"


def test_the_weak_etag_of_the_gzipped_page_is_answered_304_without_a_body(
    site: DemoSite,
) -> None:
    first, _ = fetch(site, "/lijst/", **{"Accept-Encoding": "gzip"})
    etag = first.headers["ETag"]

    again, sent = fetch(site, "/lijst/", **{"Accept-Encoding": "gzip", "If-None-Match": etag})

    assert again.status_code == 304 and sent == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Vary"] == "Accept-Encoding"
    assert "Content-Encoding" not in again.headers
    assert site.requests[-1].conditional


def test_the_identity_variants_strong_etag_matches_the_gzipped_one_weakly(
    site: DemoSite,
) -> None:
    plain, _ = fetch(site, "/lijst/", **{"Accept-Encoding": "identity"})

    again, _ = fetch(
        site, "/lijst/", **{"Accept-Encoding": "gzip", "If-None-Match": plain.headers["ETag"]}
    )

    assert again.status_code == 304
    assert again.headers["ETag"] == "W/" + plain.headers["ETag"]


def test_a_changed_page_is_sent_again_in_full(site: DemoSite) -> None:
    answer, _ = fetch(site, "/lijst/", **{"Accept-Encoding": "gzip", "If-None-Match": 'W/"oud"'})

    assert answer.status_code == 200 and answer.headers["Content-Encoding"] == "gzip"


def test_post_answers_are_gzipped_too(site: DemoSite) -> None:
    answer, sent = fetch(site, "/wp-json/query", "POST", **{"Accept-Encoding": "gzip"})

    assert answer.headers["Content-Encoding"] == "gzip"
    assert "ETag" not in answer.headers
    assert gzip.decompress(sent).decode() == ANSWER
