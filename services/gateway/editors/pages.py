"""The editors' sign-in pages: the list of hotspots with editors, ask for a link (the same
answer whether or not the address is an editor), confirm it (a GET never uses it up), sign
out. The item forms live in `forms.py`; `router` holds both."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from contracts.signin import LINK_MINUTES
from contracts.supplements import normalise_email
from services.gateway.editors import forms
from services.gateway.editors.access import check_link, end_session, redeem_link
from services.gateway.editors.deps import EditorsDep
from services.gateway.editors.guards import COOKIE, COOKIE_PATH, known_hotspot
from services.gateway.editors.handlers import request_editor_link
from services.gateway.signin.formdata import first, read_form
from services.gateway.signin.guards import require_csrf, unavailable
from services.gateway.signin.publishing import PublishUnavailable
from services.gateway.signin.rendering import (
    PRIVATE_HEADERS,
    Problem,
    client_address,
    rate_limited,
    render,
)

router = APIRouter(include_in_schema=False)
EMAIL_PROBLEM = "Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."


@router.get("/redactie", name="editor_index")
async def index(request: Request, editors: EditorsDep) -> Response:
    """The hotspots whose editors enter their news and agenda here."""
    hotspots = sorted(editors.hotspots.values(), key=lambda h: h.name.casefold())
    return render(request, "editor_index.html", {"hotspots": hotspots})


@router.get("/redactie/inloggen", name="editor_confirm")
async def confirm_page(request: Request, editors: EditorsDep, token: str = "") -> Response:
    """A button that signs in: mail scanners that open links must not use them up."""
    signin = editors.signin
    refused = await asyncio.to_thread(check_link, signin.engine, token, signin.now())
    if refused is not None:
        raise _refused(refused)
    return render(request, "editor_confirm.html", {"token": token})


@router.post("/redactie/inloggen", name="editor_redeem")
async def redeem(request: Request, editors: EditorsDep) -> Response:
    """Use the link once, open a session and go to the hotspot's items."""
    fields = await read_form(request)
    signin = editors.signin
    require_csrf(signin, request, fields)
    outcome = await asyncio.to_thread(
        redeem_link, signin.engine, first(fields, "token"), signin.now(), signin.session_length
    )
    if isinstance(outcome, str):
        raise _refused(outcome)
    target = request.url_for("editor_items", hotspot=outcome.editor.hotspot).path
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


@router.post("/redactie/uitloggen", name="editor_sign_out")
async def sign_out(request: Request, editors: EditorsDep) -> Response:
    """End this browser's editor session."""
    fields = await read_form(request)
    signin = editors.signin
    require_csrf(signin, request, fields)
    await asyncio.to_thread(end_session, signin.engine, request.cookies.get(COOKIE))
    response = render(request, "editor_signed_out.html", {})
    response.delete_cookie(
        COOKIE,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=signin.settings.secure_cookies,
    )
    return response


@router.get("/redactie/{hotspot}/inloggen", name="editor_sign_in")
async def sign_in_form(request: Request, hotspot: str, editors: EditorsDep) -> Response:
    """The form asking for an editor's e-mail address."""
    found = known_hotspot(editors, hotspot)
    return render(request, "editor_request.html", {"hotspot": found, "email": "", "error": None})


@router.post("/redactie/{hotspot}/inloggen", name="editor_sign_in_post")
async def ask_for_link(request: Request, hotspot: str, editors: EditorsDep) -> Response:
    """Grant a link to an editor, and answer the same whether or not the address is one."""
    fields = await read_form(request)
    require_csrf(editors.signin, request, fields)
    found = known_hotspot(editors, hotspot)
    typed = first(fields, "email")
    try:
        email = normalise_email(typed)
    except ValueError:
        context = {"hotspot": found, "email": typed, "error": EMAIL_PROBLEM}
        return render(request, "editor_request.html", context, status=400)
    try:
        outcome = await request_editor_link(editors, found, email, client_address(request))
    except PublishUnavailable:
        raise unavailable() from None
    if outcome == "limited":
        minutes = editors.signin.settings.gateway_signin_limit_window_minutes
        raise rate_limited(
            "Te veel verzoeken",
            "Er zijn de laatste tijd te veel inloglinks aangevraagd voor dit adres of vanaf "
            f"deze verbinding. Probeer het over {minutes} minuten opnieuw.",
            minutes * 60,
        )
    return render(request, "editor_requested.html", {"hotspot": found})


def _refused(reason: str) -> Problem:
    titles = {
        "used": ("Deze inloglink is al gebruikt", "Een inloglink werkt maar één keer."),
        "expired": (
            "Deze inloglink is verlopen",
            f"Een inloglink is {LINK_MINUTES} minuten geldig.",
        ),
    }
    title, message = titles.get(
        reason,
        (
            "Deze inloglink is ongeldig",
            "Wij kennen deze inloglink niet. Gebruik de hele link uit de e-mail.",
        ),
    )
    return Problem(
        410 if reason in titles else 400,
        title,
        message,
        "Vraag een nieuwe link aan via de pagina van uw hotspot.",
        action=("/redactie", "Naar de redactie"),
    )


router.include_router(forms.router)
