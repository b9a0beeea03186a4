"""In-memory web, clock and publisher for the scraper's unit tests (no sockets)."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from contracts.base import Event
from contracts.subjects import StreamSpec
from services.scraper.http import CachedPage, HttpPolicy, PoliteClient, make_http_client

FIXTURES_ROOT = Path(__file__).parents[2] / "fixtures"
FIXTURES = FIXTURES_ROOT / "pso"
BASE = "https://pso.test"
POLICY = HttpPolicy(
    user_agent="impactoost-test/1 (+https://example.org/contact)",
    requests_per_second=1000,
    max_attempts=3,
    backoff_seconds=1.0,
)
# Hostile text every registry's fuzz test mixes in, before its own pieces.
HOSTILE_PIECES = (
    "<script>alert(1)</script>",
    "&lt;img src=x onerror=alert(1)&gt;",
    "&amp;",
    "\x00",
    "\u202e",
    "Twente",
    "<b>",
)


def fixture_reader(registry: str) -> Callable[[str], str]:
    """A reader of the texts tests/fixtures/<registry>/<name>."""
    folder = FIXTURES_ROOT / registry

    def read(name: str) -> str:
        return (folder / name).read_text(encoding="utf-8")

    return read


def fixture_page(name: str) -> str:
    """The text of tests/fixtures/pso/<name>."""
    return (FIXTURES / name).read_text(encoding="utf-8")


def random_markup(rng: random.Random, *pieces: str, most: int = 12) -> str:
    """Up to `most` pieces picked at random from HOSTILE_PIECES followed by `pieces`."""
    choices = [*HOSTILE_PIECES, *pieces]
    return "".join(rng.choice(choices) for _ in range(rng.randint(0, most)))


Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


@dataclass
class FakeWeb:
    """Answers by URL (path + query); unknown URLs get 404. Records every request."""

    pages: dict[str, list[Answer]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def serve(self, url: str, *answers: Answer) -> FakeWeb:
        """Answer `url` with `answers` in turn, repeating the last one."""
        self.pages[url] = list(answers)
        return self

    def html(self, url: str, body: str, **headers: str) -> FakeWeb:
        """Answer `url` with a 200 HTML page."""
        return self.serve(
            url,
            httpx.Response(
                200, text=body, headers={"content-type": "text/html; charset=utf-8", **headers}
            ),
        )

    def handle(self, request: httpx.Request) -> httpx.Response:
        """The MockTransport handler."""
        self.requests.append(request)
        path = request.url.raw_path.decode()
        key = f"{request.url.scheme}://{request.url.host}{path}"
        answers = self.pages.get(key)
        if not answers:
            return _streamed(httpx.Response(404, text="niet gevonden"))
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        return _streamed(answer(request) if callable(answer) else answer)

    def transport(self) -> httpx.MockTransport:
        """A transport for httpx that answers from this fake web."""
        return httpx.MockTransport(self.handle)

    def paths(self) -> list[str]:
        """Requested paths (with query), in order."""
        return [r.url.raw_path.decode() for r in self.requests]


def _streamed(response: httpx.Response) -> httpx.Response:
    """The answer with its body (as encoded, e.g. gzipped) still to be read, as a real
    transport hands it over: httpx then decodes it and counts the bytes downloaded."""
    if not isinstance(response.stream, httpx.ByteStream):
        return response
    return httpx.Response(response.status_code, headers=response.headers, stream=response.stream)


@dataclass
class VirtualTime:
    """A monotonic clock that only moves when the code under test sleeps."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def waits(self) -> list[float]:
        """The sleeps longer than the test policy's tiny rate-limit interval."""
        return [s for s in self.sleeps if s >= 0.01]

    def clock(self) -> float:
        """The current virtual time."""
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Record the sleep and move the clock on."""
        self.sleeps.append(seconds)
        self.now += seconds


def polite_client(
    web: FakeWeb,
    time: VirtualTime | None = None,
    policy: HttpPolicy = POLICY,
    cache_in: Mapping[str, CachedPage] | None = None,
) -> PoliteClient:
    """A PoliteClient on the fake web with virtual time."""
    time = time or VirtualTime()
    return PoliteClient(
        make_http_client(policy, web.transport()),
        policy,
        cache_in=cache_in or {},
        sleep=time.sleep,
        clock=time.clock,
    )


def register_web(*pages: str) -> FakeWeb:
    """A fake PSO site whose register pages 1..n are the named fixture files."""
    web = FakeWeb()
    for number, name in enumerate(pages, start=1):
        web.html(f"{BASE}/pso-register/?pagina={number}", fixture_page(name))
    return web


@dataclass
class FakePublisher:
    """Records published events; can be told to fail at the n-th publish."""

    published: list[tuple[str, Event]] = field(default_factory=list)
    journal: list[str] | None = None
    fail_at: int | None = None

    async def publish(self, subject: str, event: Event, stream: StreamSpec) -> None:
        """Record the event (or fail as instructed)."""
        if self.fail_at is not None and len(self.published) + 1 == self.fail_at:
            raise TimeoutError("no ack from JetStream")
        self.published.append((subject, event))
        if self.journal is not None:
            self.journal.append(f"publish {subject}")

    def subjects(self) -> list[str]:
        """Subjects published to, in order."""
        return [subject for subject, _ in self.published]
