"""`ETag` and `Cache-Control` on every GET answer, and `304 Not Modified` for a matching
`If-None-Match`.

Pages and API answers get a weak ETag hashed from the body they are about to send, and
`no-cache` (any cache may keep them, but must ask again each time): hashing some tens of
kilobytes costs microseconds next to rendering, and an ETag of the body stays right whatever
the answer depends on (the read model, the registries' freshness, a new release's templates),
where one made of the read model's event count would not. It is weak because the gzip layer
outside may compress the body: the variants are equivalent, not byte-identical.
Personal answers (the sign-in and edit pages, anything setting a cookie, anything that sets its
own `Cache-Control`) get no ETag: they say `no-store`, or keep what they set. Static files keep
the ETag StaticFiles gives, made weak for the same reason, and may be kept long when the link
carries the file's version (`?v=`, see links.py).
"""

from __future__ import annotations

import hashlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

REVALIDATE = b"no-cache"
# A request with cookies may get an answer made for that browser (a shortlist's add buttons
# with its form token): only the browser's own cache may keep it.
REVALIDATE_PRIVATE = b"private, no-cache"
PERSONAL = b"no-store"
VERSIONED_ASSET = b"public, max-age=31536000, immutable"
ASSET = b"public, max-age=86400"
ASSET_PREFIXES = ("/static/", "/docs/static/")
# The sign-in and edit pages carry a session or a CSRF token (they say no-store themselves;
# this is the second lock).
PERSONAL_PREFIXES = ("/aanvullen/",)
PERSONAL_SUFFIXES = ("/aanvullen",)
# What a 304 repeats of the 200 it stands for (RFC 9110, 15.4.5).
KEPT_ON_304 = frozenset({b"cache-control", b"etag", b"vary", b"content-location", b"expires"})


class Revalidation:
    """See the module's docstring. Runs inside the gzip layer, on uncompressed bodies."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        path = _route_path(scope)
        if path.startswith(ASSET_PREFIXES):
            query: bytes = scope.get("query_string", b"")
            versioned = query.startswith(b"v=") or b"&v=" in query
            await self.app(scope, receive, _AssetSending(send, versioned).send)
            return
        personal = path.startswith(PERSONAL_PREFIXES) or path.endswith(PERSONAL_SUFFIXES)
        headers = dict(scope["headers"])
        revalidate = REVALIDATE_PRIVATE if b"cookie" in headers else REVALIDATE
        matcher = _Matching(send, headers.get(b"if-none-match"), personal, revalidate)
        await self.app(scope, receive, matcher.send)


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(f"{root}/") else path


class _AssetSending:
    def __init__(self, send: Send, versioned: bool) -> None:
        self._send = send
        self._versioned = versioned

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] in (200, 304):
            headers = [(k, _weak(v) if k == b"etag" else v) for k, v in message["headers"]]
            if not any(k == b"cache-control" for k, _ in headers):
                headers.append((b"cache-control", VERSIONED_ASSET if self._versioned else ASSET))
            message = {**message, "headers": headers}
        await self._send(message)


class _Matching:
    """Holds back a 200 until its body is complete, then sends it with its ETag, or a 304."""

    def __init__(
        self, send: Send, if_none_match: bytes | None, personal: bool, revalidate: bytes
    ) -> None:
        self._send = send
        self._if_none_match = if_none_match
        self._personal = personal
        self._revalidate = revalidate
        self._start: Message | None = None
        self._body: list[bytes] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            await self._started(message)
        elif message["type"] == "http.response.body" and self._start is not None:
            self._body.append(message.get("body", b""))
            if not message.get("more_body", False):
                await self._finish()
        else:
            await self._send(message)

    async def _started(self, message: Message) -> None:
        headers = list(message.get("headers", ()))
        names = {name.lower() for name, _ in headers}
        if b"cache-control" in names:
            await self._send(message)
            return
        personal = self._personal or b"set-cookie" in names
        headers.append((b"cache-control", PERSONAL if personal else self._revalidate))
        if not personal:
            headers.append((b"vary", b"Cookie"))
        message = {**message, "headers": headers}
        if personal or message["status"] != 200:
            await self._send(message)
            return
        self._start = message

    async def _finish(self) -> None:
        assert self._start is not None
        body = b"".join(self._body)
        tag = b'W/"' + hashlib.blake2b(body, digest_size=16).hexdigest().encode() + b'"'
        headers = [*self._start["headers"], (b"etag", tag)]
        if self._if_none_match is not None and _matches(self._if_none_match, tag):
            kept = [(k, v) for k, v in headers if k.lower() in KEPT_ON_304]
            if not any(k.lower() == b"vary" and b"accept-encoding" in v.lower() for k, v in kept):
                kept.append((b"vary", b"Accept-Encoding"))
            await self._send({"type": "http.response.start", "status": 304, "headers": kept})
            await self._send({"type": "http.response.body", "body": b""})
            return
        await self._send({**self._start, "headers": headers})
        await self._send({"type": "http.response.body", "body": body})


def _weak(tag: bytes) -> bytes:
    return tag if tag.startswith(b"W/") else b"W/" + tag


def _matches(if_none_match: bytes, tag: bytes) -> bool:
    """Weak comparison (RFC 9110, 13.1.2): `*`, or any listed tag equal but for `W/`."""
    wanted = tag.removeprefix(b"W/")
    listed = (part.strip().removeprefix(b"W/") for part in if_none_match.split(b","))
    return any(part in (b"*", wanted) for part in listed)
