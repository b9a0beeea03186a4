"""The gateway's front door, one pure-ASGI middleware around everything else: it refuses
foreign hosts, shows the app every request as addressed to the public base URL (so no link
can carry a spoofed `Host`), answers `HEAD` wherever `GET` works, adds the security headers
and answers the API's CORS preflights."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.web.headers import DOCS_PATHS, Headers, security_headers
from services.gateway.web.hosts import PublicAddress, TrustedHosts

API_PREFIX = "/api/"
READ_METHODS = frozenset({"GET", "HEAD"})
CORS_HEADERS: Headers = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers", b"ETag"),
]
PREFLIGHT_HEADERS: Headers = [
    (b"access-control-allow-methods", b"GET, HEAD"),
    (b"access-control-allow-headers", b"Accept, Accept-Language, If-None-Match"),
    (b"access-control-max-age", b"86400"),
]


class FrontDoor:
    """See the module's docstring; everything it answers itself carries the headers too."""

    def __init__(self, app: ASGIApp, *, hosts: TrustedHosts, public: PublicAddress) -> None:
        self.app = app
        self.hosts = hosts
        self.public = public
        self.page_headers, self.docs_headers = security_headers(secure=public.scheme == "https")
        self.api_headers = self.page_headers + CORS_HEADERS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_headers = dict(scope["headers"])
        path = _route_path(scope["path"], self.public.root_path)
        method: str = scope["method"]
        sending = _Sending(send, self._headers_for(path), head=method == "HEAD")
        if not self.hosts.allow(request_headers.get(b"host", b"").decode("latin-1")):
            await _answer(sending, 400, b"Onbekend adres: deze site is hier niet te bereiken.\n")
            return
        if method == "OPTIONS" and path.startswith(API_PREFIX) and b"origin" in request_headers:
            requested = request_headers.get(b"access-control-request-method", b"").decode()
            if requested:
                await _preflight(sending, requested)
                return
        await self.app(self._as_public(scope), receive, sending.send)

    def _headers_for(self, path: str) -> Headers:
        if path in DOCS_PATHS:
            return self.docs_headers
        if path.startswith(API_PREFIX):
            return self.api_headers
        return self.page_headers

    def _as_public(self, scope: Scope) -> Scope:
        """The scope as if addressed to the public base URL; HEAD runs as GET."""
        headers = [(k, v) for k, v in scope["headers"] if k != b"host"]
        headers.append((b"host", self.public.host))
        public = {**scope, "headers": headers, "scheme": self.public.scheme}
        if self.public.root_path and not scope.get("root_path"):
            public["root_path"] = self.public.root_path
        if scope["method"] == "HEAD":
            public["method"] = "GET"
        return public


class _Sending:
    """Adds headers to the response's start; for HEAD, sends the headers and no body."""

    def __init__(self, send: Send, headers: Headers, *, head: bool) -> None:
        self._send = send
        self._headers = headers
        self._head = head

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            # A route's own header wins, except the policy: browsers enforce every
            # Content-Security-Policy sent, so ours adds to a route's (the sign-in pages').
            present = {name.lower() for name, _ in message.get("headers", ())}
            present.discard(b"content-security-policy")
            added = [(k, v) for k, v in self._headers if k not in present]
            message = {**message, "headers": [*message.get("headers", ()), *added]}
        elif message["type"] == "http.response.body" and self._head:
            message = {**message, "body": b""}
        await self._send(message)


def _route_path(path: str, root_path: str) -> str:
    if root_path and path.startswith(f"{root_path}/"):
        return path[len(root_path) :]
    return path


async def _answer(
    sending: _Sending, status: int, text: bytes, extra: Headers | None = None
) -> None:
    headers = [(b"cache-control", b"no-store"), *(extra or [])]
    if text:
        headers += [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(text)).encode()),
        ]
    await sending.send({"type": "http.response.start", "status": status, "headers": headers})
    await sending.send({"type": "http.response.body", "body": text})


async def _preflight(sending: _Sending, requested: str) -> None:
    """The API is read-only across origins: GET and HEAD, never with credentials."""
    if requested.upper() in READ_METHODS:
        await _answer(sending, 204, b"", PREFLIGHT_HEADERS)
    else:
        await _answer(sending, 400, b"Only GET and HEAD are allowed from other origins.\n")
