"""Editors' sign-in links and sessions: links projected from `EditorLinkIssued`, redeemed once
into a session, in a link book of their own (see `signin/book.py`). A session is good only
while its address is still one of its hotspot's editors in the operator's file (the guards
check that on every page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from contracts.signin import EditorLinkIssued
from contracts.subjects import signin_subject
from services.gateway.editors.tables import EditorLinkRow, EditorSessionRow
from services.gateway.signin.book import LinkBook
from services.gateway.signin.consumer import IssuedLinks


@dataclass(frozen=True)
class Editor:
    """A signed-in editor: the hotspot, the address, until when."""

    hotspot: str
    email: str
    expires_at: datetime


EDITOR_LINKS: LinkBook[Editor] = LinkBook(
    name="editor",
    links=EditorLinkRow,
    sessions=EditorSessionRow,
    principal="hotspot",
    signed_in=Editor,
)
EDITOR_ISSUED = IssuedLinks(
    book=EDITOR_LINKS,
    schema=EditorLinkIssued,
    subject=signin_subject("editor_link_issued"),
    durable_suffix="-editors",  # beside the enterprises' durable: `<gateway durable>-editors`
    title="gateway/on_editor_link_issued",
    description="Hashes of mailed editors' sign-in links -> the gateway's editor links",
)
