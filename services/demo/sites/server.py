"""A small local web server for demo registries: robots.txt, conditional GETs, injected faults.

Each demo registry supplies a `render(path, query)` function; this module adds what real
websites do around it (ETag / Last-Modified and 304s, gzip, robots.txt) and what tests need
(a request log, failures on demand). Stdlib only, one thread, loopback only.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from services.demo.sites.compression import Coding, negotiate

DEFAULT_ROBOTS = "User-agent: *\nDisallow: /beheer/\n"
_ENTITY_TAG = re.compile(r'(?:W/)?"[^"]*"')


@dataclass(frozen=True)
class Response:
    """What a demo page renderer answers."""

    status: int
    body: str
    content_type: str = "text/html; charset=utf-8"


@dataclass(frozen=True)
class _Fault:
    status: int
    retry_after: float | None
    path: str


Renderer = Callable[[str, dict[str, list[str]]], Response]
# POST handler: path, raw body, request headers -> response (never conditional).
PostHandler = Callable[[str, bytes, dict[str, str]], Response]


@dataclass(frozen=True)
class RequestRecord:
    """One request the site answered, for tests and the demo's narration."""

    method: str
    path: str
    status: int
    conditional: bool
    user_agent: str
    at: float = 0.0
    bytes_sent: int = 0
    """The answer as it went out: status line, headers and (compressed) body."""


class DemoSite:
    """A running demo website; `stop()` it when done."""

    def __init__(self, render: Renderer, port: int = 0, post: PostHandler | None = None) -> None:
        self.render = render
        self.post = post
        self.robots_txt = DEFAULT_ROBOTS
        self.last_modified = formatdate(usegmt=True)
        self._lock = threading.Lock()
        self._requests: list[RequestRecord] = []
        self._faults: list[_Fault] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True, name="demo-site"
        )
        self._thread.start()

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>`, without a trailing slash."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request answered so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        """Forget the request log."""
        with self._lock:
            self._requests.clear()

    def fail_next(
        self, count: int, status: int = 503, retry_after: float | None = None, path: str = "/"
    ) -> None:
        """Answer the next `count` requests for paths under `path` with `status`."""
        with self._lock:
            self._faults.extend([_Fault(status, retry_after, path)] * count)

    def touch(self) -> None:
        """Mark the content as changed now (for Last-Modified)."""
        self.last_modified = formatdate(usegmt=True)

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _take_fault(self, path: str) -> _Fault | None:
        with self._lock:
            for index, fault in enumerate(self._faults):
                if path.startswith(fault.path):
                    return self._faults.pop(index)
            return None

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self._requests.append(record)

    def respond(self, path: str, query: dict[str, list[str]]) -> Response:
        """The page for `path`, robots.txt included."""
        if path == "/robots.txt":
            return Response(200, self.robots_txt, "text/plain; charset=utf-8")
        return self.render(path, query)

    def respond_post(self, path: str, body: bytes, headers: dict[str, str]) -> Response:
        """The answer to a POST (form or JSON endpoints); 405 where the site has none."""
        if self.post is None:
            return Response(405, "Method Not Allowed", "text/plain; charset=utf-8")
        return self.post(path, body, headers)


def _handler_for(site: DemoSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "DemoRegister/1.0"
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in separate writes

        def do_GET(self) -> None:
            conditional = bool(
                self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since")
            )
            status, body, content_type, headers = self._answer()
            self._send(
                status, body, content_type, headers, self._record("GET", status, conditional)
            )

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            payload = self.rfile.read(min(length, 1_000_000))
            url = urlsplit(self.path)
            fault = site._take_fault(url.path)
            if fault is not None:
                status, body, content_type, headers = self._fault_answer(fault)
            else:
                headers_in = {k.lower(): v for k, v in self.headers.items()}
                page = site.respond_post(url.path, payload, headers_in)
                status, body, content_type = page.status, page.body.encode(), page.content_type
                coding = self._coding(status, content_type, len(body))
                body, headers = coding.encode(body), coding.headers()
            self._send(status, body, content_type, headers, self._record("POST", status, False))

        def _record(self, method: str, status: int, conditional: bool) -> RequestRecord:
            """This request as the site's log keeps it."""
            user_agent = self.headers.get("User-Agent", "")
            return RequestRecord(
                method, self.path, status, conditional, user_agent, time.monotonic()
            )

        def _fault_answer(self, fault: _Fault) -> tuple[int, bytes, str | None, dict[str, str]]:
            extra = {} if fault.retry_after is None else {"Retry-After": f"{fault.retry_after:g}"}
            return fault.status, b"Tijdelijk niet beschikbaar", "text/plain", extra

        def _answer(self) -> tuple[int, bytes, str | None, dict[str, str]]:
            url = urlsplit(self.path)
            fault = site._take_fault(url.path)
            if fault is not None:
                return self._fault_answer(fault)
            page = site.respond(url.path, parse_qs(url.query))
            body = page.body.encode("utf-8")
            coding = self._coding(page.status, page.content_type, len(body))
            if page.status != 200:
                return page.status, coding.encode(body), page.content_type, coding.headers()
            etag = coding.etag('"' + hashlib.sha256(body).hexdigest()[:20] + '"')
            validators = {"ETag": etag, "Last-Modified": site.last_modified}
            if self._not_modified(etag, site.last_modified):
                # RFC 9110 §15.4.5: a 304 carries the ETag and Vary its 200 would have had.
                return 304, b"", None, {**validators, **coding.headers(with_body=False)}
            return 200, coding.encode(body), page.content_type, {**validators, **coding.headers()}

        def _coding(self, status: int, content_type: str | None, size: int) -> Coding:
            return negotiate(self.headers.get("Accept-Encoding"), status, content_type, size)

        def _not_modified(self, etag: str, last_modified: str) -> bool:
            if_none_match = self.headers.get("If-None-Match")
            if if_none_match is not None:
                return none_match(if_none_match, etag)
            since = self.headers.get("If-Modified-Since")
            if since is None:
                return False
            try:
                return parsedate_to_datetime(since) >= parsedate_to_datetime(last_modified)
            except (TypeError, ValueError):
                return False

        def _send(
            self,
            status: int,
            body: bytes,
            content_type: str | None,
            headers: dict[str, str],
            record: RequestRecord,
        ) -> None:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            for name, value in headers.items():
                self.send_header(name, value)
            if status != 304:  # a 304's length would be its 200's, so none is sent
                self.send_header("Content-Length", str(len(body)))
            # Recorded before the answer goes out, so a client that got it also sees the record;
            # the buffered status line and headers, the blank line ending them, and the body.
            head = sum(len(line) for line in getattr(self, "_headers_buffer", [])) + 2
            site._record(replace(record, bytes_sent=head + len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the request log replaces stderr lines."""

    return Handler


def none_match(if_none_match: str, etag: str) -> bool:
    """Whether an If-None-Match value is `*` or names `etag`, compared weakly as RFC 9110
    §13.1.2 asks for it: `W/"x"` and `"x"` match, so a gzipped variant's weak tag does too."""
    if if_none_match.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    return any(tag.removeprefix("W/") == opaque for tag in _ENTITY_TAG.findall(if_none_match))
