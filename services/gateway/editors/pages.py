"""The editors' sign-in pages: the list of hotspots with editors, ask for a link (the same
answer whether or not the address is an editor), confirm it (a GET never uses it up), sign
out. The item forms live in `forms.py`; `router` holds both."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from contracts.signin import LINK_MINUTES
from services.gateway.editors import forms
from services.gateway.editors.access import EDITOR_LINKS
from services.gateway.editors.deps import EditorsDep
from services.gateway.editors.guards import COOKIE, COOKIE_PATH, known_hotspot
from services.gateway.editors.handlers import request_editor_link
from services.gateway.signin import link_pages
from services.gateway.signin.book import Refused
from services.gateway.signin.formdata import read_form
from services.gateway.signin.guards import require_csrf
from services.gateway.signin.link_pages import EMAIL_PROBLEM, Door, email_in
from services.gateway.signin.rendering import Problem, client_address, render

router = APIRouter(include_in_schema=False)


def _refused(_request: Request, refused: Refused) -> Problem:
    titles = {
        "used": ("Deze inloglink is al gebruikt", "Een inloglink werkt maar één keer."),
        "expired": (
            "Deze inloglink is verlopen",
            f"Een inloglink is {LINK_MINUTES} minuten geldig.",
        ),
    }
    title, message = titles.get(
        refused.reason,
        (
            "Deze inloglink is ongeldig",
            "Wij kennen deze inloglink niet. Gebruik de hele link uit de e-mail.",
        ),
    )
    return Problem(
        410 if refused.reason in titles else 400,
        title,
        message,
        "Vraag een nieuwe link aan via de pagina van uw hotspot.",
        action=("/redactie", "Naar de redactie"),
    )


EDITOR_DOOR = Door(
    book=EDITOR_LINKS,
    cookie=COOKIE,
    cookie_path=COOKIE_PATH,
    confirm_template="editor_confirm.html",
    signed_out_template="editor_signed_out.html",
    refused=_refused,
    landing=lambda request, editor: request.url_for("editor_items", hotspot=editor.hotspot).path,
)


@router.get("/redactie", name="editor_index")
async def index(request: Request, editors: EditorsDep) -> Response:
    """The hotspots whose editors enter their news and agenda here."""
    hotspots = sorted(editors.hotspots.values(), key=lambda h: h.name.casefold())
    return render(request, "editor_index.html", {"hotspots": hotspots})


@router.get("/redactie/inloggen", name="editor_confirm")
async def confirm(request: Request, editors: EditorsDep, token: str = "") -> Response:
    """A button that signs in: mail scanners that open links must not use them up."""
    return await link_pages.confirm_page(request, editors.signin, EDITOR_DOOR, token)


@router.post("/redactie/inloggen", name="editor_redeem")
async def use_link(request: Request, editors: EditorsDep) -> Response:
    """Use the link once, open a session and go to the hotspot's items."""
    return await link_pages.redeem(request, editors.signin, EDITOR_DOOR)


@router.post("/redactie/uitloggen", name="editor_sign_out")
async def end_session(request: Request, editors: EditorsDep) -> Response:
    """End this browser's editor session."""
    return await link_pages.sign_out(request, editors.signin, EDITOR_DOOR)


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
    typed, email = email_in(fields)
    if email is None:
        context = {"hotspot": found, "email": typed, "error": EMAIL_PROBLEM}
        return render(request, "editor_request.html", context, status=400)
    client = client_address(request)
    await link_pages.link_requested(
        editors.signin, request_editor_link(editors, found, email, client)
    )
    return render(request, "editor_requested.html", {"hotspot": found})


router.include_router(forms.router)
