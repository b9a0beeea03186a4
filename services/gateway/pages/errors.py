"""Errors on pages are Dutch HTML; errors on the API stay FastAPI's JSON."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException
from starlette.responses import Response

from contracts.labels import LABEL_DISPLAY_NAMES
from services.gateway.read_model.queries import MAX_PAGE

JSON_PATHS = ("/api/", "/healthz", "/openapi.json", "/docs")
FIELD_NAMES = {
    "q": "De zoekterm",
    "province": "De provincie",
    "region": "De regio",
    "municipality": "De gemeente",
}
STATUS_TEXTS = {
    404: ("Pagina niet gevonden", "Deze pagina bestaat niet."),
    405: ("Niet toegestaan", "Deze pagina kan zo niet worden opgevraagd."),
    413: ("Formulier te groot", "Het formulier bevat meer tekst dan deze site aanneemt."),
}


def install_error_pages(app: FastAPI) -> None:
    """Route HTTP and validation errors to Dutch pages, except under the JSON paths."""
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)


def _wants_json(request: Request) -> bool:
    path = request.url.path.removeprefix(request.scope.get("root_path", ""))
    return path.startswith(JSON_PATHS)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if _wants_json(request):
        return await http_exception_handler(request, exc)
    title, message = STATUS_TEXTS.get(
        exc.status_code, ("Er ging iets mis", "Probeer het later nog eens.")
    )
    return _page(request, exc.status_code, title, [message], exc.headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if _wants_json(request):
        return await request_validation_exception_handler(request, exc)
    messages = list(dict.fromkeys(dutch_problem(error) for error in exc.errors()))
    return _page(request, 422, "Ongeldige zoekopdracht", messages)


def dutch_problem(error: dict[str, Any]) -> str:
    """One validation error, explained in Dutch."""
    field = next((str(p) for p in error.get("loc", ())[1:] if isinstance(p, str)), "")
    if field == "label":
        names = list(LABEL_DISPLAY_NAMES.values())
        return f"Onbekend label. Kies uit: {', '.join(names[:-1])} of {names[-1]}."
    if field == "category":
        return "Onbekende categorie. Kies een categorie uit de lijst bij „Aanbod”."
    if field == "delivery_area":
        return "Onbekende regio. Kies bij „Levert in” een arbeidsmarktregio uit de lijst."
    if field == "sort":
        return "Onbekende sortering. Kies sorteren op naam, nieuwste vermelding of einddatum."
    if field == "reserved":
        return "De keuze voor voorbehouden opdrachten heeft een ongeldige waarde."
    if field == "page":
        return f"Het paginanummer moet een geheel getal van 1 tot en met {MAX_PAGE} zijn."
    if field == "page_size":
        return "Het aantal per pagina moet een geheel getal van 1 tot en met 100 zijn."
    name = FIELD_NAMES.get(field, "Een zoekveld")
    if error.get("type") == "string_too_long":
        return f"{name} mag hoogstens {error['ctx']['max_length']} tekens lang zijn."
    return f"{name} heeft een ongeldige waarde."


def _page(
    request: Request,
    status: int,
    title: str,
    messages: list[str],
    headers: Mapping[str, str] | None = None,
) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request,
        "error.html",
        {"title": title, "messages": messages, "sources": []},
        status_code=status,
        headers=headers,
    )
