"""`/kennis` (the knowledge pages' index) and `/kennis/{slug}` (one page)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from services.gateway.deps import ReaderDep, TemplatesDep
from services.gateway.knowledge.library import Knowledge
from services.gateway.read_model.queries import list_sources

router = APIRouter(include_in_schema=False)


@router.get("/kennis", name="knowledge_index", response_class=HTMLResponse)
async def knowledge_index(
    request: Request, read: ReaderDep, templates: TemplatesDep
) -> HTMLResponse:
    """Every knowledge page with its summary."""
    knowledge: Knowledge = request.app.state.knowledge

    def render(session: Session) -> HTMLResponse:
        context = {"pages": list(knowledge.pages.values()), "sources": list_sources(session).items}
        return templates.TemplateResponse(request, "knowledge_index.html", context)

    return await read(render)


@router.get("/kennis/{slug}", name="knowledge_page", response_class=HTMLResponse)
async def knowledge_page(
    request: Request, slug: str, read: ReaderDep, templates: TemplatesDep
) -> HTMLResponse:
    """One knowledge page with its version, date and sources; 404 in Dutch when unknown."""
    knowledge: Knowledge = request.app.state.knowledge
    page = knowledge.pages.get(slug)

    def render(session: Session) -> HTMLResponse:
        sources = list_sources(session).items
        if page is None:
            return templates.TemplateResponse(
                request,
                "error.html",
                {
                    "title": "Kennispagina niet gevonden",
                    "sources": sources,
                    "messages": [
                        "Deze kennispagina bestaat niet. "
                        "Kijk in het overzicht van de kennispagina’s."
                    ],
                },
                status_code=404,
            )
        context = {
            "page": page,
            "model": knowledge.model if page.entry.shows_model else None,
            "sources": sources,
        }
        return templates.TemplateResponse(request, "knowledge_page.html", context)

    return await read(render)
