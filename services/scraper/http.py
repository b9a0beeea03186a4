"""A polite HTTP client for registry pages: robots.txt, rate limit, retries, conditional GETs.

One `PoliteClient` lives for one run: robots.txt is read once per host per run, and the
validator cache it is given (ETag / Last-Modified + body per URL, kept in the scraper state)
comes back in `cache_out` holding only the URLs this run visited.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode, urlsplit

import httpx
import structlog
from protego import Protego
from pydantic import BaseModel

from services.scraper.encoding import decode_page
from services.scraper.errors import FetchFailed, RobotsDisallowed

log = structlog.get_logger()
RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class HttpPolicy:
    """How politely and how persistently we fetch."""

    user_agent: str
    requests_per_second: float = 1.0
    max_attempts: int = 4
    backoff_seconds: float = 1.0
    max_backoff_seconds: float = 60.0
    max_retry_after_seconds: float = 120.0
    timeout_seconds: float = 20.0
    max_page_bytes: int = 5_000_000


class CachedPage(BaseModel):
    """What a previous run received for a URL, to ask "has it changed since?"."""

    etag: str | None = None
    last_modified: str | None = None
    body: str


@dataclass
class FetchCounters:
    """Pages received in full (2xx), pages reused after a 304, and body bytes of every answer.

    `bytes_received` counts body bytes as the registry's server sent them (gzipped where it
    compressed them): what our visits cost its bandwidth. `bytes_decoded` counts the same
    bodies after decompression: what we parsed, and what `max_page_bytes` caps."""

    pages_fetched: int = 0
    not_modified: int = 0
    bytes_received: int = 0
    bytes_decoded: int = 0


@dataclass(frozen=True)
class Page:
    """A page's text, fresh or reused from the cache after a 304."""

    url: str
    text: str
    not_modified: bool = False


@dataclass
class _Response:
    status: int
    headers: httpx.Headers
    body: bytes
    url: str


@dataclass(frozen=True)
class _Request:
    method: str
    url: str
    headers: dict[str, str]
    content: bytes | None = None


def product_token(user_agent: str) -> str:
    """The product token robots.txt groups are matched against (RFC 9309 §2.2.1): the
    User-Agent's leading letters, underscores and hyphens, e.g. `impactoost-scraper`."""
    match = re.match(r"[A-Za-z_-]+", user_agent.strip())
    return match.group(0) if match else user_agent


def parse_robots(text: str) -> Protego:
    """A robots.txt read as RFC 9309 says: `*` and `$` in paths, the longest match wins,
    Allow wins a tie, and the group naming our product token (else `*`) applies.

    The stdlib parser applies the first matching line and knows no wildcards, so the usual
    WordPress robots.txt ("Disallow: /wp-admin/" before "Allow: /wp-admin/admin-ajax.php")
    would refuse the Allow."""
    return Protego.parse(text)


@dataclass
class PoliteClient:
    """GET (and POST to) the registries the way their owners would want us to."""

    http: httpx.AsyncClient
    policy: HttpPolicy
    cache_in: Mapping[str, CachedPage] = field(default_factory=dict)
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    clock: Callable[[], float] = time.monotonic
    counters: FetchCounters = field(default_factory=FetchCounters)
    cache_out: dict[str, CachedPage] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    _robots: dict[str, Protego] = field(default_factory=dict)
    _last_request: dict[str, float] = field(default_factory=dict)
    _interval: dict[str, float] = field(default_factory=dict)

    async def get(self, url: str, *, fresh: bool = False) -> Page:
        """The page at `url`; raises FetchFailed (or RobotsDisallowed) when we cannot have it.

        `fresh` skips the validators, for a page whose stored copy proved stale (e.g. an
        expired nonce in it) although the server would still answer 304."""
        await self._check_robots(url)
        return await self._get_conditional(url, fresh=fresh)

    async def post(
        self,
        url: str,
        *,
        form: Mapping[str, str] | None = None,
        json_body: object | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Page:
        """POST a form or JSON body (e.g. a "load more" endpoint); never conditional, since
        such answers carry no validators. Non-2xx answers raise FetchFailed with the status."""
        await self._check_robots(url)
        sent = dict(headers or {})
        if form is not None:
            content = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            content = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        response = await self._fetch_with_retries(_Request("POST", url, sent, content))
        if not 200 <= response.status < 300:
            raise FetchFailed(f"POST {url} answered HTTP {response.status}", response.status)
        self.counters.pages_fetched += 1
        return Page(url=response.url, text=self._text(response))

    async def _get_conditional(self, url: str, *, fresh: bool = False) -> Page:
        cached = None if fresh else self.cache_in.get(url)
        headers: dict[str, str] = {}
        if cached and cached.etag:
            headers["If-None-Match"] = cached.etag
        if cached and cached.last_modified:
            headers["If-Modified-Since"] = cached.last_modified
        response = await self._fetch_with_retries(_Request("GET", url, headers))
        if response.status == 304 and cached is not None:
            self.counters.not_modified += 1
            self.cache_out[url] = cached
            return Page(url=url, text=cached.body, not_modified=True)
        if not 200 <= response.status < 300:
            raise FetchFailed(f"GET {url} answered HTTP {response.status}", response.status)
        self.counters.pages_fetched += 1
        text = self._text(response)
        etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
        if etag or modified:
            self.cache_out[url] = CachedPage(etag=etag, last_modified=modified, body=text)
        return Page(url=response.url, text=text)

    def _text(self, response: _Response) -> str:
        text, warning = decode_page(response.body, response.headers.get("Content-Type"))
        if warning:
            self.warnings.append(f"{response.url}: {warning}")
        return text

    async def _check_robots(self, url: str) -> None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        parser = self._robots.get(origin)
        if parser is None:
            parser = await self._load_robots(origin)
            self._robots[origin] = parser
        if not parser.can_fetch(url, product_token(self.policy.user_agent)):
            raise RobotsDisallowed(f"robots.txt of {origin} does not allow us to fetch {url}")

    async def _load_robots(self, origin: str) -> Protego:
        try:
            page = await self._get_conditional(f"{origin}/robots.txt")
        except FetchFailed as exc:
            # RFC 9309 §2.3.1: 4xx means no rules, unreachable means keep out. 401/403 may be
            # read as no rules too; a site that refuses us its rules gets the polite reading.
            if exc.status in (401, 403):
                return parse_robots("User-agent: *\nDisallow: /\n")
            if exc.status is not None and 400 <= exc.status < 500:
                return parse_robots("")
            raise RobotsDisallowed(f"robots.txt of {origin} unavailable: {exc.reason}") from exc
        parser = parse_robots(page.text)
        delay = parser.crawl_delay(product_token(self.policy.user_agent))
        if delay:
            host = urlsplit(origin).netloc
            self._interval[host] = max(float(delay), self._min_interval())
            log.info("crawl_delay_obeyed", host=host, seconds=float(delay))
        return parser

    async def _fetch_with_retries(self, request: _Request) -> _Response:
        url = request.url
        for attempt in range(1, self.policy.max_attempts + 1):
            await self._throttle(urlsplit(url).netloc)
            wait = min(
                self.policy.backoff_seconds * 2 ** (attempt - 1), self.policy.max_backoff_seconds
            )
            response: _Response | None = None
            try:
                response = await self._send(request)
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
            else:
                if response.status not in RETRYABLE_STATUS:
                    return response
                problem = f"HTTP {response.status}"
                wait = self._retry_after(url, response, default=wait)
            if attempt == self.policy.max_attempts:
                raise FetchFailed(
                    f"{request.method} {url} failed after {attempt} attempts: {problem}",
                    None if response is None else response.status,
                )
            log.warning(
                "request_retried",
                url=url,
                attempt=attempt,
                problem=problem,
                wait_seconds=round(wait, 3),
            )
            await self.sleep(wait)
        raise AssertionError("unreachable")

    def _retry_after(self, url: str, response: _Response, *, default: float) -> float:
        seconds = retry_after_seconds(response.headers.get("Retry-After"))
        if seconds is None:
            return default
        if seconds > self.policy.max_retry_after_seconds:
            raise FetchFailed(
                f"GET {url} answered HTTP {response.status} asking us to wait {seconds:.0f}s, "
                f"more than the {self.policy.max_retry_after_seconds:.0f}s we wait in a run",
                response.status,
            )
        return seconds

    async def _send(self, request: _Request) -> _Response:
        url = request.url
        async with self.http.stream(
            request.method, url, headers=request.headers, content=request.content
        ) as response:
            chunks: list[bytes] = []
            size = 0
            try:
                # The cap is on decoded bytes, so a small gzip bomb trips it too (httpx decodes
                # one network read at a time: at most one read's expansion is held unchecked).
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > self.policy.max_page_bytes:
                        raise FetchFailed(
                            f"{request.method} {url}: larger than "
                            f"{self.policy.max_page_bytes} bytes"
                        )
                    chunks.append(chunk)
            finally:  # an abandoned body still cost the server what it sent
                self.counters.bytes_received += response.num_bytes_downloaded
                self.counters.bytes_decoded += size
            return _Response(
                status=response.status_code,
                headers=response.headers,
                body=b"".join(chunks),
                url=str(response.url),
            )

    async def _throttle(self, host: str) -> None:
        now = self.clock()
        last = self._last_request.get(host)
        interval = self._interval.get(host, self._min_interval())
        wait = 0.0 if last is None else max(0.0, last + interval - now)
        self._last_request[host] = now + wait
        if wait > 0:
            await self.sleep(wait)

    def _min_interval(self) -> float:
        return 1.0 / self.policy.requests_per_second


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or an HTTP date)."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", value):  # RFC: integer seconds; decimals tolerated
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def make_http_client(
    policy: HttpPolicy, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """An httpx client identifying us by User-Agent, with the policy's timeout."""
    return httpx.AsyncClient(
        headers={
            "User-Agent": policy.user_agent,
            "Accept": "text/html,*/*;q=0.5",
            "Accept-Language": "nl,en;q=0.5",
        },
        timeout=httpx.Timeout(policy.timeout_seconds),
        follow_redirects=True,
        max_redirects=5,
        transport=transport,
    )
