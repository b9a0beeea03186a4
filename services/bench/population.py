"""The search benchmark's enterprises: the synthetic states, spread over the whole country,
with names of their own and varied offers, so searches and facets meet a realistic mix.

Pure: the read model's fill stores these states, and the query generator draws its words and
filters from the same vocabulary, so most buyer queries find something.
"""

from __future__ import annotations

from functools import cache

from contracts.categories import CATEGORIES
from contracts.enterprises import EnterpriseState
from contracts.places import Municipality, municipalities
from services.bench.synthetic import enterprise_state

# The first word of a name: trades and shop fronts as social enterprises call themselves,
# some with accents ("Taalcafé" is found by "taalcafe" and "taalcafé" alike).
NAME_WORDS: tuple[str, ...] = (
    "Taalcafé",
    "Crèche",
    "Coöperatie",
    "Brasserie",
    "Atelier",
    "Werkplaats",
    "Kwekerij",
    "Zorgboerderij",
    "Lunchroom",
    "Koffiehuis",
    "Naaiatelier",
    "Meubelmakerij",
    "Fietsherstel",
    "Wasserette",
    "Pâtisserie",
    "Brocante",
    "Drukwerk",
    "Groenploeg",
    "Soepbar",
    "Kringloopwinkel",
    "Café",
    "Imkerij",
    "Smederij",
    "Bakkerij",
)
# Co-prime with the number of municipalities, so neighbouring indexes live far apart and every
# municipality (and so every province and region) is used.
_PLACE_STEP = 7


@cache
def _places() -> tuple[Municipality, ...]:
    return municipalities()


def name_word(index: int) -> str:
    """The first word of the `index`-th enterprise's name."""
    return NAME_WORDS[(index // 3) % len(NAME_WORDS)]


def searchable_enterprise(index: int) -> EnterpriseState:
    """The `index`-th enterprise of the search benchmark: the synthetic state, placed in one
    of every municipality, named `<word> <trade> <place> <index>`, every third one offering a
    second category, every fifth PSO holding with the PSO 30+ mark (reserved contracts)."""
    state = enterprise_state(index)
    place = _places()[(index * _PLACE_STEP) % len(_places())]
    trade = state.name.split()[0]
    extra = CATEGORIES[index % len(CATEGORIES)].slug
    categories = state.categories if index % 3 else tuple(dict.fromkeys((*state.categories, extra)))
    labels = tuple(
        h.model_copy(update={"pso30plus": True}) if h.label == "pso" and index % 5 == 0 else h
        for h in state.labels
    )
    return state.model_copy(
        update={
            "name": f"{name_word(index)} {trade} {place.name} {index}",
            "place": place.name,
            "municipality": place.name,
            "province": place.province,
            "region": place.labour_market_region,
            "categories": categories,
            "labels": labels,
        }
    )
