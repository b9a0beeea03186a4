"""Sign-in pages: ask for a link, confirm it (a GET never uses it up), sign out.

The edit form's pages live in `edit.py`; `router` holds both.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from contracts.supplements import normalise_email
from services.gateway.deps import ReaderDep, SignInDep
from services.gateway.signin import edit
from services.gateway.signin.formdata import first, read_form
from services.gateway.signin.guards import refused_link, require_csrf, unavailable
from services.gateway.signin.handlers import request_sign_in
from services.gateway.signin.links import Refused, check_link, redeem_link
from services.gateway.signin.listing import find_listing, listed_or_refused
from services.gateway.signin.publishing import PublishUnavailable
from services.gateway.signin.rendering import (
    PRIVATE_HEADERS,
    client_address,
    rate_limited,
    render,
)
from services.gateway.signin.sessions import COOKIE, COOKIE_PATH, end_session

router = APIRouter(include_in_schema=False)
router.include_router(edit.router)
EMAIL_PROBLEM = "Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."


@router.get("/ondernemingen/{enterprise_id}/aanvullen", name="supplement_sign_in")
async def sign_in_form(request: Request, enterprise_id: str, read: ReaderDep) -> Response:
    """The form asking for an e-mail address to send a sign-in link to."""
    listing = listed_or_refused(await read(find_listing, enterprise_id))
    return render(request, "signin_request.html", {"listing": listing, "email": "", "error": None})


@router.post("/ondernemingen/{enterprise_id}/aanvullen", name="supplement_sign_in_post")
async def ask_for_link(
    request: Request, enterprise_id: str, read: ReaderDep, signin: SignInDep
) -> Response:
    """Publish a sign-in request and answer the same whether or not the address is known."""
    form = await read_form(request)
    require_csrf(signin, request, form)
    listing = listed_or_refused(await read(find_listing, enterprise_id))
    typed = first(form, "email")
    try:
        email = normalise_email(typed)
    except ValueError:
        context = {"listing": listing, "email": typed, "error": EMAIL_PROBLEM}
        return render(request, "signin_request.html", context, status=400)
    client = client_address(request)
    try:
        outcome = await request_sign_in(signin, listing.enterprise_id, email, client)
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
    return render(request, "signin_requested.html", {"listing": listing})


@router.get("/aanvullen/inloggen", name="signin_confirm")
async def confirm_page(request: Request, signin: SignInDep, token: str = "") -> Response:
    """A button that signs in: mail scanners that open links must not use them up."""
    refused = await asyncio.to_thread(check_link, signin.engine, token, signin.now())
    if refused is not None:
        raise refused_link(request, refused)
    return render(request, "signin_confirm.html", {"token": token})


@router.post("/aanvullen/inloggen", name="signin_redeem")
async def redeem(request: Request, signin: SignInDep) -> Response:
    """Use the link once, open a session and go to the edit form."""
    form = await read_form(request)
    require_csrf(signin, request, form)
    outcome = await asyncio.to_thread(
        redeem_link, signin.engine, first(form, "token"), signin.now(), signin.session_length
    )
    if isinstance(outcome, Refused):
        raise refused_link(request, outcome)
    enterprise_id = outcome.signed_in.enterprise_id
    target = request.url_for("supplement_edit", enterprise_id=enterprise_id).path
    response = RedirectResponse(target, status_code=303, headers=PRIVATE_HEADERS)
    response.set_cookie(
        COOKIE,
        outcome.session_id,
        max_age=int(signin.session_length.total_seconds()),
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=signin.settings.secure_cookies,
    )
    return response


@router.post("/aanvullen/uitloggen", name="signin_sign_out")
async def sign_out(request: Request, signin: SignInDep) -> Response:
    """End this browser's session."""
    form = await read_form(request)
    require_csrf(signin, request, form)
    await asyncio.to_thread(end_session, signin.engine, request.cookies.get(COOKIE))
    response = render(request, "signin_signed_out.html", {})
    response.delete_cookie(
        COOKIE,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=signin.settings.secure_cookies,
    )
    return response
