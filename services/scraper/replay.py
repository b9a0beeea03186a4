"""A recording served back: the same adapter code runs on the recorded bytes, no network.

`ReplayTransport` answers each request with the first unused recorded exchange of the same
method, URL and body, in recorded order (so retries and renewed nonces replay as they
happened), or raises `ReplayMiss`, which fails the run with the request that was not recorded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx

from contracts.labels import LABELS, LabelName
from services.scraper.recording import FORMAT, INDEX, Exchange


class ReplayMiss(Exception):
    """The run asked for something the recording does not hold: it went another way."""


@dataclass(frozen=True)
class Recording:
    """A recording read back: what was run, and its exchanges."""

    label: LabelName
    base_url: str
    started_at: datetime
    exchanges: tuple[Exchange, ...]
    meta: dict[str, Any]

    @property
    def today(self) -> date:
        """The run's date, which decided whether each holding counted."""
        return date.fromisoformat(str(self.meta["today"]))


def load_recording(directory: Path) -> Recording:
    """The recording in `directory`; ValueError when it is not one this code can replay."""
    index = directory / INDEX
    try:
        document = json.loads(index.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{directory} holds no recording ({INDEX} is missing)") from None
    except ValueError as exc:
        raise ValueError(f"{index} is not valid JSON: {exc}") from None
    if document.get("format") != FORMAT:
        raise ValueError(f"{index}: recording format {document.get('format')!r}, not {FORMAT}")
    if document.get("label") not in LABELS:
        raise ValueError(f"{index}: unknown label {document.get('label')!r}")
    try:
        exchanges = tuple(_exchange(directory, entry) for entry in document["exchanges"])
        return Recording(
            label=document["label"],
            base_url=document["base_url"],
            started_at=datetime.fromisoformat(document["started_at"]),
            exchanges=exchanges,
            meta={k: v for k, v in document.items() if k != "exchanges"},
        )
    except (KeyError, TypeError, OSError) as exc:
        raise ValueError(f"{index} is incomplete: {type(exc).__name__}: {exc}") from None


def _exchange(directory: Path, entry: dict[str, Any]) -> Exchange:
    request, response = entry["request"], entry.get("response")
    return Exchange(
        method=entry["method"],
        url=entry["url"],
        request_headers=tuple((k, v) for k, v in request["headers"]),
        request_body=_body(directory, request["body"]),
        status=None if response is None else int(response["status"]),
        response_headers=() if response is None else tuple((k, v) for k, v in response["headers"]),
        response_body=b"" if response is None else _body(directory, response["body"]),
        error=entry.get("error"),
    )


def _body(directory: Path, name: str | None) -> bytes:
    return b"" if name is None else (directory / name).read_bytes()


@dataclass
class ReplayTransport(httpx.AsyncBaseTransport):
    """Answers requests from recorded exchanges; `unused` is what the run did not ask for."""

    exchanges: list[Exchange]
    misses: list[str] = field(default_factory=list)

    @property
    def unused(self) -> list[Exchange]:
        """Recorded exchanges no request has taken (yet)."""
        return list(self.exchanges)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """The recorded answer to `request` (or its recorded transport error)."""
        body = await request.aread()
        url = str(request.url)
        for position, exchange in enumerate(self.exchanges):
            if (exchange.method, exchange.url, exchange.request_body) == (
                request.method,
                url,
                body,
            ):
                del self.exchanges[position]
                return _answer(exchange, request)
        self.misses.append(f"{request.method} {url}")
        raise ReplayMiss(f"the recording holds no answer to {request.method} {url}")


def _answer(exchange: Exchange, request: httpx.Request) -> httpx.Response:
    if exchange.error is not None:
        kind, _, message = exchange.error.partition(": ")
        error = getattr(httpx, kind, None)
        if not (isinstance(error, type) and issubclass(error, httpx.TransportError)):
            error = httpx.ConnectError
        raise error(message, request=request)
    return httpx.Response(
        exchange.status or 0,
        headers=list(exchange.response_headers),
        stream=httpx.ByteStream(exchange.response_body),
        request=request,
    )
