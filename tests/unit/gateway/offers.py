"""A read model of enterprises that offer something, some with a supplement of their own:
shared by the SQLite and PostgreSQL tests of search, filters and facets by what and where."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from contracts.enterprises import EnterpriseEvent
from contracts.supplements import BuyersContact
from services.gateway.handlers import record_enterprise_event
from services.gateway.read_model.queries import SearchQuery, search_enterprises
from services.gateway.read_model.views import EnterprisePage
from tests.unit.gateway.events import holding, listed, supplement

OFFERS: list[EnterpriseEvent] = [
    listed(
        "lunchroom",
        name="Lunchroom Bij Ons",
        categories=("catering",),
        summary="Lunchroom waar mensen met een afstand tot de arbeidsmarkt werken.",
        summary_label="pso",
    ),
    listed(
        "soepbar",
        name="Soepbar Warm Welkom",
        place="Zwolle",
        municipality="Zwolle",
        region="Regio Zwolle",
        categories=("catering",),
        categories_chosen=True,
        supplement=supplement(categories=("catering",), delivery_areas=("Enschede",)),
    ),
    listed(
        "koks",
        name="Koks in de Maak",
        place="Arnhem",
        municipality="Arnhem",
        province="Gelderland",
        region="Midden-Gelderland",
        categories=("catering", "re-integratie-en-arbeidsontwikkeling"),
        supplement=supplement(delivery_areas=("heel nederland",)),
        labels=(holding("senl", level="boost", status="lid"),),
    ),
    listed(
        "keuken",
        name="De Keuken van Ede",
        place="Ede",
        municipality="Ede",
        province="Gelderland",
        region="Food Valley",
        categories=("catering",),
    ),
    listed(
        "taalcafe",
        name="Taalcafé De Brug",
        place="Deventer",
        municipality="Deventer",
        region="Stedendriehoek en Noordwest Veluwe",
        categories=("re-integratie-en-arbeidsontwikkeling",),
    ),
    listed(
        "branderij",
        name="Branderij Oost",
        place="Hengelo",
        municipality="Hengelo",
        categories=("voeding-en-streekproducten",),
        categories_chosen=True,
        supplement=supplement(
            description="Wij branden bonen uit eerlijke handel.\nOok voor uw kantoor.",
            categories=("voeding-en-streekproducten",),
            keywords=("espresso", "Fairtrade"),
            contact=BuyersContact(name="Fleur Jansen", email="inkoop@branderij.example"),
        ),
    ),
    listed(
        "schoon",
        name="Schoon Schip",
        place="Nijmegen",
        municipality="Nijmegen",
        province="Gelderland",
        region="Rijk van Nijmegen",
        categories=("schoonmaak",),
    ),
]


def record_offers(engine: Engine) -> None:
    """Project `OFFERS` into the read model."""
    for event in OFFERS:
        record_enterprise_event(engine, event)


def search(engine: Engine, **filters: object) -> EnterprisePage:
    """One page of up to 100 results."""
    with Session(engine) as session:
        return search_enterprises(session, SearchQuery.model_validate(filters | {"page_size": 100}))


def found(engine: Engine, **filters: object) -> list[str]:
    """The names found, in name order."""
    return [item.name for item in search(engine, **filters).items]


CATERING = ["De Keuken van Ede", "Koks in de Maak", "Lunchroom Bij Ons", "Soepbar Warm Welkom"]
# (filters, the names found): the same answers on SQLite and PostgreSQL.
SEARCHES: list[tuple[dict[str, object], list[str]]] = [
    ({"q": "catering"}, CATERING),
    ({"q": "horeca"}, CATERING),
    ({"q": "koffie"}, ["Branderij Oost", *CATERING]),
    ({"q": "catering twente"}, ["Koks in de Maak", "Lunchroom Bij Ons", "Soepbar Warm Welkom"]),
    ({"q": "overijssel catering"}, ["Lunchroom Bij Ons", "Soepbar Warm Welkom"]),
    ({"q": "taalcafe"}, ["Taalcafé De Brug"]),
    ({"q": "TAALCAFÉ brug"}, ["Taalcafé De Brug"]),
    ({"q": "espresso"}, ["Branderij Oost"]),
    ({"q": "fairtrade eerlijke handel"}, ["Branderij Oost"]),
    ({"q": "arbeidsmarkt"}, ["Lunchroom Bij Ons"]),
    ({"category": ["catering"]}, CATERING),
    ({"category": ["catering", "schoonmaak"]}, sorted([*CATERING, "Schoon Schip"])),
    ({"delivery_area": ["Twente"]}, ["Branderij Oost", *CATERING[1:]]),
    ({"delivery_area": ["regio zwolle"]}, ["Koks in de Maak"]),
    (
        {"delivery_area": ["Food Valley", "Rijk van Nijmegen"]},
        ["De Keuken van Ede", "Koks in de Maak", "Schoon Schip"],
    ),
    ({"category": ["catering"], "delivery_area": ["Twente"]}, CATERING[1:]),
    ({"category": ["catering"], "label": ["senl"]}, ["Koks in de Maak"]),
    ({"q": "soep", "category": ["schoonmaak"]}, []),
]
