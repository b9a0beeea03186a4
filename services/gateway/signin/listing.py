"""What the sign-in pages need to know of an enterprise, read from the read model."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from contracts.supplements import ListingSupplement, Supplement
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
    shown = row.supplement if row.listed else None
    supplement = ListingSupplement.model_validate(shown) if shown else None
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
