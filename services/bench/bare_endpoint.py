"""The bare pipeline's read side: a bare ASGI callable served by uvicorn as the gateway is,
`GET /things/{id}` answering the row stage 2 wrote (200, its JSON) or 404.
`python -m services.bench.bare_endpoint DATABASE_URL PORT`.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

import uvicorn

from services.bench.bare_store import BareStore, Database

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
THINGS = "/things/"
JSON = [(b"content-type", b"application/json")]
TEXT = [(b"content-type", b"text/plain")]


def route(method: str, path: str) -> tuple[int, str]:
    """What a request asks for: (200, the thing's id), (200, "") for the health check, or
    the status that refuses it (405, 404) with "" as id."""
    if method != "GET":
        return 405, ""
    if path == "/healthz":
        return 200, ""
    thing_id = path.removeprefix(THINGS)
    if path.startswith(THINGS) and thing_id and "/" not in thing_id:
        return 200, thing_id
    return 404, ""


class ThingEndpoint:
    """The ASGI application: one database connection opened at start-up (lifespan)."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.store: BareStore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._answer(scope, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.store = BareStore(self.database, "gateway")
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.store is not None:
                    self.store.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _answer(self, scope: Scope, send: Send) -> None:
        status, thing_id = route(scope["method"], scope["path"])
        if status != 200 or not thing_id:
            await _respond(send, status, b"ok" if status == 200 else b"no", TEXT)
            return
        payload = self.store.read_thing(thing_id) if self.store is not None else None
        if payload is None:
            await _respond(send, 404, b"not found", TEXT)
        else:
            await _respond(send, 200, payload, JSON)


async def _respond(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]
) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def main(argv: Sequence[str]) -> None:
    """Entry point: positional arguments as in the module's docstring."""
    if len(argv) != 2:
        raise SystemExit(__doc__)
    database_url, port = argv
    app = ThingEndpoint(Database.of(database_url))
    config = uvicorn.Config(
        app, host="127.0.0.1", port=int(port), lifespan="on", access_log=False, log_level="warning"
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main(sys.argv[1:])
