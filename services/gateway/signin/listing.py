"""What the sign-in pages need to know of an enterprise, read from the read model."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import ValidationError
from sqlmodel import Session

from contracts.supplements import ListingSupplement, Supplement
from services.gateway.read_model.queries import get_enterprise
from services.gateway.read_model.tables import EnterpriseRow
from services.gateway.signin.rendering import Problem


@dataclass(frozen=True)
class Listing:
    """An enterprise as the read model knows it; `supplement` is its current one, if any."""

    enterprise_id: str
    name: str
    listed: bool
    supplement: Supplement | None = None


def find_listing(session: Session, enterprise_id: str) -> Listing | None:
    """The enterprise with this id, listed or not; None when the read model never heard of it."""
    row = session.get(EnterpriseRow, enterprise_id[:64])
    if row is None:
        return None
    supplement = _supplement(session, enterprise_id) if row.listed else None
    return Listing(row.enterprise_id, row.name, row.listed, supplement)


def listed_or_refused(listing: Listing | None) -> Listing:
    """The listing when it is listed; else the page that says it is not (nothing is asked)."""
    if listing is None:
        raise Problem(
            404,
            "Onderneming niet gevonden",
            "Deze onderneming staat niet in het overzicht, of de link klopt niet.",
        )
    if not listing.listed:
        raise Problem(
            410,
            "Onderneming staat niet meer in het overzicht",
            f"{listing.name} heeft op dit moment geen geldig label en staat daarom niet in het "
            "overzicht. Zolang dat zo is, kunt u de gegevens niet aanvullen.",
        )
    return listing


def _supplement(session: Session, enterprise_id: str) -> Supplement | None:
    # The read model's public view gains the supplement in the same release; read it
    # defensively so the form works (empty) with a view that does not carry it yet.
    found = getattr(get_enterprise(session, enterprise_id), "supplement", None)
    if isinstance(found, Supplement):
        return found
    if isinstance(found, Mapping):
        try:
            return ListingSupplement.model_validate(found)
        except ValidationError:
            return None
    return None
