"""A feed fetched through the registries' polite client (robots.txt, rate limit, retries,
ETag/Last-Modified), with the failures of a feed named as such."""

from __future__ import annotations

import httpx

from services.scraper.errors import FetchFailed
from services.scraper.feeds.items import FeedKind
from services.scraper.http import HttpPolicy, Page, PoliteClient, make_http_client

ACCEPT: dict[FeedKind, str] = {
    "news": "application/rss+xml, application/atom+xml, application/xml;q=0.9, "
    "text/xml;q=0.9, */*;q=0.1",
    "agenda": "text/calendar, */*;q=0.1",
}


class FeedVanished(FetchFailed):
    """The feed's address answers 404 or 410: moved or gone, never "no items"."""


def feed_http_client(
    policy: HttpPolicy, kind: FeedKind, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The polite client's httpx client, asking for `kind`'s document type."""
    client = make_http_client(policy, transport)
    client.headers["Accept"] = ACCEPT[kind]
    return client


async def fetch_feed(client: PoliteClient, url: str) -> Page:
    """The feed's text (the stored copy after a 304); FeedVanished for 404/410, FetchFailed
    (or RobotsDisallowed) for the rest."""
    try:
        return await client.get(url)
    except FetchFailed as exc:
        if exc.status in (404, 410):
            raise FeedVanished(f"feed vanished: {exc.reason}", exc.status) from exc
        raise
