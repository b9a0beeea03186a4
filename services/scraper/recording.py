"""Recordings of a run's HTTP traffic: every request and answer, exactly as they went.

`RecordingTransport` sits under the polite client and keeps each exchange (method, URL,
request headers and body; status, answer headers and body as received, still compressed
where the site compressed it); `write_recording` stores them as one `index.json` plus one
file per body. Credentials never reach the disk: the values of Authorization, Cookie and
their kind are replaced. `services.scraper.replay` serves a recording back.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

FORMAT = 1
INDEX = "index.json"
REDACTED = "[redacted]"
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
)
_EXTENSIONS = (
    ("html", ".html"),
    ("json", ".json"),
    ("xml", ".xml"),
    ("text/plain", ".txt"),
    ("x-www-form-urlencoded", ".form"),
)
_ENCODINGS = {"gzip": ".gz", "deflate": ".zz", "br": ".br", "zstd": ".zst"}


@dataclass(frozen=True)
class Exchange:
    """One request and what came back: an answer, or the transport error raised instead."""

    method: str
    url: str
    request_headers: tuple[tuple[str, str], ...]
    request_body: bytes
    status: int | None = None
    response_headers: tuple[tuple[str, str], ...] = ()
    response_body: bytes = b""
    error: str | None = None
    complete: bool = True


def redact(headers: httpx.Headers) -> tuple[tuple[str, str], ...]:
    """Headers as (name, value) pairs, in order, with credentials' values replaced."""
    return tuple(
        (name, REDACTED if name.lower() in SECRET_HEADERS else value)
        for name, value in headers.multi_items()
    )


class RecordingTransport(httpx.AsyncBaseTransport):
    """Passes every request to `inner` and keeps a copy of each exchange, in request order.

    An answer's body is copied as the client reads it, so a client that stops reading (a page
    over its size cap) is not made to download the rest; such a body is kept as far as it was
    read and marked incomplete."""

    def __init__(self, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.inner = inner or httpx.AsyncHTTPTransport()
        self._slots: list[Exchange | None] = []

    @property
    def exchanges(self) -> list[Exchange]:
        """The exchanges whose answer has been read and closed (or that failed), in order."""
        return [exchange for exchange in self._slots if exchange is not None]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request` and hand its answer on, copying both as they pass."""
        body = await request.aread()
        sent = (request.method, str(request.url), redact(request.headers), body)
        slot = len(self._slots)
        self._slots.append(None)
        try:
            response = await self.inner.handle_async_request(request)
        except httpx.TransportError as exc:
            self._slots[slot] = Exchange(*sent, error=_error(exc))
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)

        def finished(raw: bytes, complete: bool, error: str | None) -> None:
            headers = redact(response.headers)
            self._slots[slot] = Exchange(
                *sent, response.status_code, headers, raw, error=error, complete=complete
            )

        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_Tee(response.stream, finished),
            request=request,
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        """Close the inner transport."""
        await self.inner.aclose()


class _Tee(httpx.AsyncByteStream):
    """An answer's raw byte stream, copied as it is read; reported once when closed."""

    def __init__(
        self, inner: httpx.AsyncByteStream, finished: Callable[[bytes, bool, str | None], None]
    ) -> None:
        self._inner, self._finished = inner, finished
        self._chunks: list[bytes] = []
        self._complete = False
        self._error: str | None = None
        self._reported = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._inner:
                self._chunks.append(chunk)
                yield chunk
        except httpx.TransportError as exc:
            self._error = _error(exc)
            raise
        self._complete = True

    async def aclose(self) -> None:
        await self._inner.aclose()
        if not self._reported:
            self._reported = True
            self._finished(b"".join(self._chunks), self._complete, self._error)


def _error(exc: httpx.TransportError) -> str:
    return f"{type(exc).__name__}: {exc}"


def write_recording(directory: Path, exchanges: list[Exchange], meta: dict[str, Any]) -> Path:
    """Store `exchanges` under `directory` (created; it must hold no recording yet): bodies
    in `bodies/`, everything else with `meta` in `index.json`, whose path is returned."""
    index = directory / INDEX
    if index.exists():
        raise FileExistsError(f"{directory} already holds a recording ({INDEX})")
    bodies = directory / "bodies"
    bodies.mkdir(parents=True, exist_ok=True)
    entries = [_entry(number, exchange, bodies) for number, exchange in enumerate(exchanges, 1)]
    document = {"format": FORMAT, **meta, "exchanges": entries}
    index.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return index


def _entry(number: int, exchange: Exchange, bodies: Path) -> dict[str, Any]:
    stem = f"{number:03d}-{exchange.method.lower()}"
    entry: dict[str, Any] = {
        "number": number,
        "method": exchange.method,
        "url": exchange.url,
        "request": {
            "headers": [list(pair) for pair in exchange.request_headers],
            "body": _store(
                bodies, f"{stem}-request", exchange.request_body, exchange.request_headers
            ),
        },
    }
    if exchange.status is None:
        entry["error"] = exchange.error
        return entry
    if exchange.error is not None or not exchange.complete:
        # The answer began but its body was cut short (by the site or by our size cap).
        entry["body_cut_short"] = exchange.error or "the client stopped reading"
    entry["response"] = {
        "status": exchange.status,
        "headers": [list(pair) for pair in exchange.response_headers],
        "body": _store(
            bodies, f"{stem}-response", exchange.response_body, exchange.response_headers
        ),
    }
    return entry


def _store(
    bodies: Path, stem: str, body: bytes, headers: tuple[tuple[str, str], ...]
) -> str | None:
    if not body:
        return None
    found = {name.lower(): value.lower() for name, value in headers}
    content_type = found.get("content-type", "")
    extension = next((ext for key, ext in _EXTENSIONS if key in content_type), ".bin")
    extension += _ENCODINGS.get(found.get("content-encoding", "").strip(), "")
    path = bodies / f"{stem}{extension}"
    path.write_bytes(body)
    return f"bodies/{path.name}"
