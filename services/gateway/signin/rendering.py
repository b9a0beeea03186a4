"""Rendering the sign-in pages: each carries this browser's CSRF token, is never cached or
framed, and leaks no link in a Referer header."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import Response

from services.gateway.signin.bootstrap import SignIn
from services.gateway.signin.csrf import FIELD

PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
}


class Problem(Exception):
    """A refused request, shown as a Dutch page; `action` is a (url, text) to go on with."""

    def __init__(
        self,
        status: int,
        title: str,
        *messages: str,
        action: tuple[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.messages = list(messages)
        self.action = action
        self.headers = dict(headers or {})


def rate_limited(title: str, message: str, retry_after_seconds: int) -> Problem:
    """A 429 saying what was asked for too often, and when to try again."""
    return Problem(429, title, message, headers={"Retry-After": str(retry_after_seconds)})


def client_address(request: Request) -> str:
    """The client's address, which per-client limits count by."""
    return request.client.host if request.client else "onbekend"


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A sign-in page with its CSRF token (and the browser's CSRF cookie when new)."""
    signin: SignIn = request.app.state.signin
    templates: Jinja2Templates = request.app.state.templates
    token, new_key = signin.csrf.issue(request)
    response = templates.TemplateResponse(
        request,
        template,
        {"sources": [], "csrf_field": FIELD, "csrf_token": token, **context},
        status_code=status,
        headers={**PRIVATE_HEADERS, **(headers or {})},
    )
    if new_key is not None:
        signin.csrf.set_cookie(response, new_key)
    return response


async def render_problem(request: Request, exc: Exception) -> Response:
    """The page of a `Problem`."""
    assert isinstance(exc, Problem)
    return render(
        request,
        "signin_problem.html",
        {"title": exc.title, "messages": exc.messages, "action": exc.action},
        status=exc.status,
        headers=exc.headers,
    )
