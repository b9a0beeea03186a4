"""What every sign-in form checks first: its CSRF token, and for the edit form a session of
the enterprise it edits. Each refusal is a Dutch page."""

from __future__ import annotations

import asyncio

from starlette.requests import Request

from services.gateway.signin.book import Refused
from services.gateway.signin.bootstrap import SignIn
from services.gateway.signin.formdata import FormFields
from services.gateway.signin.links import ENTERPRISE_LINKS
from services.gateway.signin.rendering import Problem
from services.gateway.signin.sessions import COOKIE, SignedIn


def require_csrf(signin: SignIn, request: Request, form: FormFields) -> None:
    """Refuse a form without this browser's token (403)."""
    if not signin.csrf.verify(request, form):
        raise Problem(
            403,
            "Formulier niet geaccepteerd",
            "Dit formulier kon niet worden gecontroleerd, misschien omdat het te lang open "
            "stond of omdat uw browser geen cookies van deze site toestaat.",
            "Laad de pagina opnieuw en probeer het nog eens.",
        )


async def require_session(signin: SignIn, request: Request, enterprise_id: str) -> SignedIn:
    """The session of this browser for this enterprise; else a 403 page offering sign-in."""
    found = await asyncio.to_thread(
        ENTERPRISE_LINKS.find_session, signin.engine, request.cookies.get(COOKIE), signin.now()
    )
    if found is None or found.enterprise_id != enterprise_id:
        raise Problem(
            403,
            "U bent niet ingelogd",
            "Om de gegevens van deze onderneming aan te vullen, moet u eerst inloggen met een "
            "inloglink. Was u ingelogd, dan is uw sessie verlopen.",
            action=(
                request.url_for("supplement_sign_in", enterprise_id=enterprise_id).path,
                "Vraag een inloglink aan",
            ),
        )
    return found


def refused_link(request: Request, refused: Refused) -> Problem:
    """The page for a link that does not sign in, offering a new one where we can."""
    new_link = (
        (
            request.url_for("supplement_sign_in", enterprise_id=refused.principal).path,
            "Vraag een nieuwe inloglink aan",
        )
        if refused.principal
        else (
            request.url_for("search_page").path,
            "Zoek uw onderneming en vraag een nieuwe link aan",
        )
    )
    if refused.reason == "used":
        return Problem(
            410,
            "Deze inloglink is al gebruikt",
            "Een inloglink werkt maar één keer. Vraag een nieuwe link aan.",
            action=new_link,
        )
    if refused.reason == "expired":
        return Problem(
            410,
            "Deze inloglink is verlopen",
            "Een inloglink is 30 minuten geldig. Vraag een nieuwe link aan.",
            action=new_link,
        )
    if refused.reason == "delisted":
        return Problem(
            410,
            "Onderneming staat niet meer in het overzicht",
            "Deze onderneming heeft op dit moment geen geldig label. Zolang dat zo is, kunt u "
            "de gegevens niet aanvullen.",
        )
    return Problem(
        400,
        "Deze inloglink is ongeldig",
        "Wij kennen deze inloglink niet. Gebruik de hele link uit de e-mail, of vraag een "
        "nieuwe link aan via de pagina van uw onderneming.",
        action=new_link,
    )


def unavailable() -> Problem:
    """The page when NATS does not confirm a request (503)."""
    return Problem(
        503,
        "Tijdelijk niet beschikbaar",
        "Uw verzoek kon op dit moment niet worden verwerkt. Probeer het over enkele minuten "
        "opnieuw.",
        headers={"Retry-After": "60"},
    )
