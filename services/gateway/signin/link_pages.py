"""The page handling every passwordless sign-in shares (enterprises and hotspot editors): the
steps of asking for a link, the confirm page (a GET never uses a link up), redeeming a link
into a session cookie, and signing out. What differs per sign-in is held in a `Door`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from fastapi.responses import RedirectResponse
from starlette.requests import Request
from starlette.responses import Response

from contracts.supplements import normalise_email
from services.gateway.signin.book import LinkBook, Refused
from services.gateway.signin.bootstrap import SignIn
from services.gateway.signin.formdata import FormFields, first, read_form
from services.gateway.signin.guards import require_csrf, unavailable
from services.gateway.signin.publishing import PublishUnavailable
from services.gateway.signin.rendering import PRIVATE_HEADERS, Problem, rate_limited, render

S = TypeVar("S")
EMAIL_PROBLEM = "Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."


@dataclass(frozen=True)
class Door(Generic[S]):
    """One sign-in's own parts: its link book, its session cookie (name and path), its pages,
    the page of a refused link, and where a redeemed link lands."""

    book: LinkBook[S]
    cookie: str
    cookie_path: str
    confirm_template: str
    signed_out_template: str
    refused: Callable[[Request, Refused], Problem]
    landing: Callable[[Request, S], str]


def email_in(form: FormFields) -> tuple[str, str | None]:
    """The address as typed, and normalised (None when it is not an address)."""
    typed = first(form, "email")
    try:
        return typed, normalise_email(typed)
    except ValueError:
        return typed, None


async def link_requested(signin: SignIn, asking: Awaitable[str]) -> None:
    """Await a link request; raise the 503 page when NATS did not confirm it, the 429 page
    when a rate limit held it back."""
    try:
        outcome = await asking
    except PublishUnavailable:
        raise unavailable() from None
    if outcome == "limited":
        minutes = signin.settings.gateway_signin_limit_window_minutes
        raise rate_limited(
            "Te veel verzoeken",
            "Er zijn de laatste tijd te veel inloglinks aangevraagd voor dit adres of vanaf "
            f"deze verbinding. Probeer het over {minutes} minuten opnieuw.",
            minutes * 60,
        )


async def confirm_page(request: Request, signin: SignIn, door: Door[S], token: str) -> Response:
    """A button that signs in: mail scanners that open links must not use them up."""
    refused = await asyncio.to_thread(door.book.check, signin.engine, token, signin.now())
    if refused is not None:
        raise door.refused(request, refused)
    return render(request, door.confirm_template, {"token": token})


async def redeem(request: Request, signin: SignIn, door: Door[S]) -> Response:
    """Use the posted link once, open a session in this browser's cookie and go on."""
    form = await read_form(request)
    require_csrf(signin, request, form)
    outcome = await asyncio.to_thread(
        door.book.redeem, signin.engine, first(form, "token"), signin.now(), signin.session_length
    )
    if isinstance(outcome, Refused):
        raise door.refused(request, outcome)
    target = door.landing(request, outcome.signed_in)
    response = RedirectResponse(target, status_code=303, headers=PRIVATE_HEADERS)
    response.set_cookie(
        door.cookie,
        outcome.session_id,
        max_age=int(signin.session_length.total_seconds()),
        path=door.cookie_path,
        httponly=True,
        samesite="lax",
        secure=signin.settings.secure_cookies,
    )
    return response


async def sign_out(request: Request, signin: SignIn, door: Door[S]) -> Response:
    """End this browser's session and forget its cookie."""
    form = await read_form(request)
    require_csrf(signin, request, form)
    await asyncio.to_thread(door.book.end_session, signin.engine, request.cookies.get(door.cookie))
    response = render(request, door.signed_out_template, {})
    response.delete_cookie(
        door.cookie,
        path=door.cookie_path,
        httponly=True,
        samesite="lax",
        secure=signin.settings.secure_cookies,
    )
    return response
