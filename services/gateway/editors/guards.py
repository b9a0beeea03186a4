"""What every editors' page checks first: a hotspot that has editors, and a session of one of
its editors that the operator's file still names. Each refusal is a Dutch page."""

from __future__ import annotations

import asyncio

from starlette.requests import Request

from contracts.hotspots import Hotspot
from services.gateway.editors.access import EDITOR_LINKS, Editor
from services.gateway.editors.bootstrap import Editors
from services.gateway.signin.rendering import Problem

COOKIE = "impactoost_redactie"
COOKIE_PATH = "/redactie"


def known_hotspot(editors: Editors, slug: str) -> Hotspot:
    """The hotspot with editors of this slug; else a 404 page."""
    hotspot = editors.hotspot(slug)
    if hotspot is None:
        raise Problem(
            404,
            "Hotspot niet gevonden",
            "Er is geen hotspot met redacteuren op dit adres. Controleer de link.",
        )
    return hotspot


async def require_editor(editors: Editors, request: Request, slug: str) -> tuple[Hotspot, Editor]:
    """The hotspot and this browser's editor session for it; else a 403 offering sign-in."""
    hotspot = known_hotspot(editors, slug)
    signin = editors.signin
    found = await asyncio.to_thread(
        EDITOR_LINKS.find_session, signin.engine, request.cookies.get(COOKIE), signin.now()
    )
    if found is None or found.hotspot != slug or editors.editor_address(slug, found.email) is None:
        raise Problem(
            403,
            "U bent niet ingelogd",
            f"Om nieuws en agenda van {hotspot.name} in te voeren, moet u eerst inloggen met "
            "een inloglink. Was u ingelogd, dan is uw sessie verlopen.",
            action=(
                request.url_for("editor_sign_in", hotspot=slug).path,
                "Vraag een inloglink aan",
            ),
        )
    return hotspot, found
