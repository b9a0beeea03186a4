"""The preference page (`/berichten/{token}`): a form to stop non-essential mails or receive
them again (with a CSRF token), and the same URL as the mails' `List-Unsubscribe` target,
where a mail program's one-click POST (RFC 8058) stops them without a form token."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from starlette.responses import Response

from services.gateway.deps import SignInDep
from services.gateway.mail_preferences.choice import is_token, publish_choice
from services.gateway.mail_preferences.one_click import form_pairs, is_one_click, read_small_body
from services.gateway.signin.guards import require_csrf, unavailable
from services.gateway.signin.publishing import PublishUnavailable
from services.gateway.signin.rendering import Problem, render

router = APIRouter(include_in_schema=False)
PAGE = "mail_preferences.html"
CHOICES = {"stop": False, "ontvang": True}


@router.get("/berichten/{token}", name="mail_preferences")
async def preferences_page(request: Request, token: str) -> Response:
    """The choice: stop the mails that are not essential, or receive them again."""
    _check(token)
    return render(request, PAGE, {"token": token, "chosen": None})


@router.post("/berichten/{token}", name="mail_preferences_post")
async def choose(request: Request, token: str, signin: SignInDep) -> Response:
    """A one-click unsubscribe (exactly `List-Unsubscribe=One-Click`), or the page's form
    (its CSRF token and `keuze`): publish the choice, then say what was chosen."""
    _check(token)
    body = await read_small_body(request)
    pairs = form_pairs(request.headers.get("content-type", ""), body or b"")
    if body is None or pairs is None:
        raise _bad_form()
    via: Literal["page", "one_click"] = "one_click"
    if is_one_click(pairs):
        chosen = False
    else:
        form: dict[str, list[str]] = {}
        for name, value in pairs:
            form.setdefault(name, []).append(value)
        require_csrf(signin, request, form)
        choice = form.get("keuze", [""])[-1]
        if choice not in CHOICES:
            raise _bad_form()
        chosen, via = CHOICES[choice], "page"
    try:
        await publish_choice(signin, token, non_essential=chosen, via=via)
    except PublishUnavailable:
        raise unavailable() from None
    return render(request, PAGE, {"token": token, "chosen": chosen})


def _check(token: str) -> None:
    if not is_token(token):
        raise Problem(
            404,
            "Deze link is ongeldig",
            "Wij kennen deze link niet. Gebruik de hele link uit de e-mail van ons.",
        )


def _bad_form() -> Problem:
    return Problem(
        400,
        "Keuze niet ontvangen",
        "Wij konden uw keuze niet lezen. Open de link uit de e-mail opnieuw en kies met een "
        "van de knoppen.",
    )
