"""Sign-in pages: ask for a link, confirm it (a GET never uses it up), sign out; the steps
both sign-ins share are in `link_pages.py`.

The edit form's pages live in `edit.py`; `router` holds both.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from services.gateway.deps import ReaderDep, SignInDep
from services.gateway.signin import edit, link_pages
from services.gateway.signin.formdata import read_form
from services.gateway.signin.guards import refused_link, require_csrf
from services.gateway.signin.handlers import request_sign_in
from services.gateway.signin.link_pages import EMAIL_PROBLEM, Door, email_in
from services.gateway.signin.links import ENTERPRISE_LINKS
from services.gateway.signin.listing import find_listing, listed_or_refused
from services.gateway.signin.rendering import client_address, render
from services.gateway.signin.sessions import COOKIE, COOKIE_PATH

router = APIRouter(include_in_schema=False)
router.include_router(edit.router)
ENTERPRISE_DOOR = Door(
    book=ENTERPRISE_LINKS,
    cookie=COOKIE,
    cookie_path=COOKIE_PATH,
    confirm_template="signin_confirm.html",
    signed_out_template="signin_signed_out.html",
    refused=refused_link,
    landing=lambda request, signed_in: (
        request.url_for("supplement_edit", enterprise_id=signed_in.enterprise_id).path
    ),
)


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
    typed, email = email_in(form)
    if email is None:
        context = {"listing": listing, "email": typed, "error": EMAIL_PROBLEM}
        return render(request, "signin_request.html", context, status=400)
    client = client_address(request)
    await link_pages.link_requested(
        signin, request_sign_in(signin, listing.enterprise_id, email, client)
    )
    return render(request, "signin_requested.html", {"listing": listing})


@router.get("/aanvullen/inloggen", name="signin_confirm")
async def confirm(request: Request, signin: SignInDep, token: str = "") -> Response:
    """A button that signs in: mail scanners that open links must not use them up."""
    return await link_pages.confirm_page(request, signin, ENTERPRISE_DOOR, token)


@router.post("/aanvullen/inloggen", name="signin_redeem")
async def use_link(request: Request, signin: SignInDep) -> Response:
    """Use the link once, open a session and go to the edit form."""
    return await link_pages.redeem(request, signin, ENTERPRISE_DOOR)


@router.post("/aanvullen/uitloggen", name="signin_sign_out")
async def end_session(request: Request, signin: SignInDep) -> Response:
    """End this browser's session."""
    return await link_pages.sign_out(request, signin, ENTERPRISE_DOOR)
