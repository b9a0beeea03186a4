"""The enterprises' sign-in links: projected from `SignInLinkIssued`, redeemed once into a
session while the enterprise is listed, purged when expired (see `book.py`)."""

from __future__ import annotations

from sqlmodel import Session

from contracts.signin import SignInLinkIssued
from contracts.subjects import signin_subject
from services.gateway.read_model.tables import EnterpriseRow
from services.gateway.signin.book import LinkBook
from services.gateway.signin.consumer import IssuedLinks
from services.gateway.signin.sessions import SignedIn
from services.gateway.signin.tables import SignInLinkRow, SignInSessionRow


def _listed(session: Session, enterprise_id: str) -> bool:
    enterprise = session.get(EnterpriseRow, enterprise_id)
    return enterprise is not None and enterprise.listed


ENTERPRISE_LINKS: LinkBook[SignedIn] = LinkBook(
    name="signin",
    links=SignInLinkRow,
    sessions=SignInSessionRow,
    principal="enterprise_id",
    signed_in=SignedIn,
    admits=_listed,  # a delisted enterprise's link is refused, and stays usable meanwhile
)
ENTERPRISE_ISSUED = IssuedLinks(
    book=ENTERPRISE_LINKS,
    schema=SignInLinkIssued,
    subject=signin_subject("link_issued"),
    durable_suffix="",
    title="gateway/on_sign_in_link_issued",
    description="Hashes of mailed sign-in links -> the gateway's own link table",
)
