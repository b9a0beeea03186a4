"""The editors' item pages: the hotspot's items, and the forms that add, edit, withdraw
(news) or cancel (agenda) one. Every form carries a CSRF token and a key of its own: posted
twice, it is applied once. A saved change leaves through the outbox; the relay is woken."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from contracts.agenda import AgendaItem
from contracts.hotspots import Hotspot
from contracts.news import NewsItem
from services.gateway.editors.access import Editor
from services.gateway.editors.bootstrap import Editors
from services.gateway.editors.deps import EditorsDep
from services.gateway.editors.domain import (
    FORM_KEY,
    TEXT_MAX,
    AgendaForm,
    NewsForm,
    check_agenda,
    check_news,
)
from services.gateway.editors.guards import require_editor
from services.gateway.editors.items import (
    Decide,
    Kind,
    agenda_change,
    apply_form,
    find_item,
    list_items,
    news_change,
)
from services.gateway.editors.present import agenda_form_of, news_form_of, when_text
from services.gateway.editors.tables import EditorItemRow
from services.gateway.signin.formdata import FormFields, first, read_form
from services.gateway.signin.guards import require_csrf
from services.gateway.signin.rendering import Problem, render

router = APIRouter(include_in_schema=False)
KINDS: dict[str, Kind] = {"nieuws": "news", "agenda": "agenda"}


@router.get("/redactie/{hotspot}", name="editor_items")
async def items_page(request: Request, hotspot: str, editors: EditorsDep) -> Response:
    """The hotspot's editor items, newest first, each with what can be done to it."""
    found, editor = await require_editor(editors, request, hotspot)
    rows = await asyncio.to_thread(list_items, editors.signin.engine, hotspot)
    shown = [_shown(row) for row in rows]
    context = {"hotspot": found, "editor": editor, "items": shown}
    return render(request, "editor_items.html", context)


@router.get("/redactie/{hotspot}/{section}/nieuw", name="editor_new")
async def new_page(request: Request, hotspot: str, section: str, editors: EditorsDep) -> Response:
    """An empty form for a new news or agenda item."""
    kind = _kind(section)
    found, editor = await require_editor(editors, request, hotspot)
    form: NewsForm | AgendaForm = NewsForm() if kind == "news" else AgendaForm()
    return _form_page(request, found, editor, kind, None, form, _new_key())


@router.post("/redactie/{hotspot}/{section}/nieuw", name="editor_new_post")
async def add(request: Request, hotspot: str, section: str, editors: EditorsDep) -> Response:
    """Check the form and save the new item, or show the form again with what is wrong."""
    return await _submit(request, editors, hotspot, _kind(section), None)


@router.get("/redactie/{hotspot}/{section}/{item_id}", name="editor_edit")
async def edit_page(
    request: Request, hotspot: str, section: str, item_id: str, editors: EditorsDep
) -> Response:
    """The form filled with the item as it stands."""
    kind = _kind(section)
    found, editor = await require_editor(editors, request, hotspot)
    row = await _current(editors, hotspot, item_id, kind)
    form = news_form_of(row) if kind == "news" else agenda_form_of(row)
    return _form_page(request, found, editor, kind, row.item_id, form, _new_key())


@router.post("/redactie/{hotspot}/{section}/{item_id}", name="editor_edit_post")
async def edit(
    request: Request, hotspot: str, section: str, item_id: str, editors: EditorsDep
) -> Response:
    """Check the form and save the change."""
    return await _submit(request, editors, hotspot, _kind(section), item_id)


@router.get("/redactie/{hotspot}/{section}/{item_id}/intrekken", name="editor_end")
async def end_page(
    request: Request, hotspot: str, section: str, item_id: str, editors: EditorsDep
) -> Response:
    """Asks to confirm withdrawing a news item or cancelling an agenda item."""
    kind = _kind(section)
    found, editor = await require_editor(editors, request, hotspot)
    row = await _current(editors, hotspot, item_id, kind)
    context = {
        "hotspot": found,
        "editor": editor,
        "section": section,
        "item": _shown(row),
        "form_key": _new_key(),
    }
    return render(request, "editor_end.html", context)


@router.post("/redactie/{hotspot}/{section}/{item_id}/intrekken", name="editor_end_post")
async def end(
    request: Request, hotspot: str, section: str, item_id: str, editors: EditorsDep
) -> Response:
    """Withdraw the news item or cancel the agenda item."""
    kind = _kind(section)
    fields = await read_form(request)
    found, editor = await require_editor(editors, request, hotspot)
    require_csrf(editors.signin, request, fields)
    source = editors.signin.settings.source
    decide = (
        news_change(hotspot, None, source)
        if kind == "news"
        else agenda_change(hotspot, None, source)
    )
    return await _apply(request, editors, found, editor, kind, item_id, fields, decide, "ended")


async def _submit(
    request: Request, editors: Editors, hotspot: str, kind: Kind, item_id: str | None
) -> Response:
    fields = await read_form(request)
    found, editor = await require_editor(editors, request, hotspot)
    require_csrf(editors.signin, request, fields)
    source = editors.signin.settings.source
    form_key = _form_key(fields)
    if kind == "news":
        news = NewsForm.from_fields(fields)
        checked_news = check_news(news)
        if checked_news.draft is None:
            return _form_page(
                request, found, editor, kind, item_id, news, form_key, checked_news.errors
            )
        decide = news_change(hotspot, checked_news.draft, source)
    else:
        agenda = AgendaForm.from_fields(fields)
        checked = check_agenda(agenda)
        if checked.draft is None:
            return _form_page(
                request, found, editor, kind, item_id, agenda, form_key, checked.errors
            )
        decide = agenda_change(hotspot, checked.draft, source)
    outcome = "added" if item_id is None else "changed"
    return await _apply(request, editors, found, editor, kind, item_id, fields, decide, outcome)


async def _apply(
    request: Request,
    editors: Editors,
    hotspot: Hotspot,
    editor: Editor,
    kind: Kind,
    item_id: str | None,
    fields: FormFields,
    decide: Decide,
    outcome: str,
) -> Response:
    signin = editors.signin
    saved = await asyncio.to_thread(
        apply_form,
        signin.engine,
        hotspot.slug,
        item_id,
        _form_key(fields),
        kind,
        decide,
        signin.now(),
    )
    if saved is None:
        raise _gone()
    editors.relay.wake()
    row = await asyncio.to_thread(find_item, signin.engine, hotspot.slug, saved.item_id, kind)
    context = {
        "hotspot": hotspot,
        "editor": editor,
        "kind": kind,
        "outcome": outcome,
        "item": _shown(row) if row else None,
    }
    return render(request, "editor_saved.html", context)


def _form_page(
    request: Request,
    hotspot: Hotspot,
    editor: Editor,
    kind: Kind,
    item_id: str | None,
    form: NewsForm | AgendaForm,
    form_key: str,
    errors: Mapping[str, str] | None = None,
) -> Response:
    context: dict[str, Any] = {
        "hotspot": hotspot,
        "editor": editor,
        "item_id": item_id,
        "form": form,
        "form_key": form_key,
        "errors": dict(errors or {}),
        "text_max": TEXT_MAX,
    }
    template = "editor_news_form.html" if kind == "news" else "editor_agenda_form.html"
    return render(request, template, context, status=400 if errors else 200)


async def _current(editors: Editors, hotspot: str, item_id: str, kind: Kind) -> EditorItemRow:
    row = await asyncio.to_thread(find_item, editors.signin.engine, hotspot, item_id, kind)
    if row is None or row.status != "current":
        raise _gone()
    return row


def _shown(row: EditorItemRow) -> dict[str, Any]:
    """An item as the pages list it."""
    section = "nieuws" if row.kind == "news" else "agenda"
    item: NewsItem | AgendaItem = (
        NewsItem.model_validate(row.item)
        if row.kind == "news"
        else AgendaItem.model_validate(row.item)
    )
    when = when_text(item) if isinstance(item, AgendaItem) else None
    return {
        "item_id": row.item_id,
        "section": section,
        "title": item.title,
        "status": row.status,
        "when": when,
        "updated_at": row.updated_at,
    }


def _kind(section: str) -> Kind:
    kind = KINDS.get(section)
    if kind is None:
        raise Problem(404, "Pagina niet gevonden", "Deze pagina bestaat niet.")
    return kind


def _new_key() -> str:
    return secrets.token_urlsafe(16)


def _form_key(fields: FormFields) -> str:
    key = first(fields, "form_key")
    if not FORM_KEY.match(key):
        raise Problem(
            400,
            "Formulier niet geaccepteerd",
            "Dit formulier mist een onderdeel. Laad de pagina opnieuw en probeer het nog eens.",
        )
    return key


def _gone() -> Problem:
    return Problem(
        404,
        "Item niet gevonden",
        "Dit item bestaat niet, of het is al ingetrokken of geannuleerd; het kan dan niet meer "
        "worden gewijzigd.",
    )
