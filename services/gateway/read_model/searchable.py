"""What the read model derives from an enterprise's state for search: its words, its
categories and the regions it delivers in.

Words are folded (lower case, accents dropped) on both sides, the stored text and the buyer's
terms, so "taalcafe" finds "Taalcafé" on SQLite and PostgreSQL alike. Categories and regions
are stored as space-separated sorted tokens, like `counting_labels`, so the facets stay one
grouped query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from contracts.categories import Category, category_named
from contracts.enterprises import EnterpriseState
from contracts.places import regions, regions_served
from contracts.subjects import slug
from contracts.text import fold
from services.gateway.labels import level_text

_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """Folded words: letters and digits, punctuation dropped (`Trede-3` -> trede, 3)."""
    return _WORD.findall(fold(text))


def search_text(state: EnterpriseState) -> str:
    """The words a search term is matched against, each once, each preceded by a space: what
    the registries publish, what the enterprise added, and what its categories are called."""
    levels = [level_text(h.level, h.pso30plus) for h in state.labels if h.counts]
    offered = categories_of(state)
    parts: list[str | None] = [
        state.name,
        state.place,
        state.municipality,
        state.province,
        state.region,
        *state.themes,
        *state.kvk,
        *levels,
        state.summary,
        *(category.name for category in offered),
        *(keyword for category in offered for keyword in category.keywords),
    ]
    supplement = state.supplement
    if supplement is not None:
        areas = supplement.delivery_areas
        parts += [supplement.description, *supplement.keywords, *areas, *regions_served(areas)]
    unique = dict.fromkeys(word for part in parts if part for word in words(part))
    return "".join(f" {word}" for word in unique)


def categories_of(state: EnterpriseState) -> list[Category]:
    """The enterprise's categories from the category list, in list order."""
    return [c for c in map(category_named, state.categories) if c is not None]


def delivery_regions(state: EnterpriseState) -> tuple[str, ...]:
    """The labour-market regions the enterprise delivers in: those its supplement's delivery
    areas reach, or else its own region."""
    areas = state.supplement.delivery_areas if state.supplement else ()
    if areas:
        return regions_served(areas)
    return (state.region,) if state.region in regions() else ()


def region_token(region: str) -> str:
    """A region as one stored token, without spaces: `Regio Zwolle` -> `regio-zwolle`."""
    return slug(region)


@cache
def region_by_token() -> dict[str, str]:
    """Every labour-market region by its token."""
    return {region_token(region): region for region in regions()}


def tokens(values: Iterable[str]) -> str | None:
    """Values as the stored, space-separated sorted text; None when there are none."""
    return " ".join(sorted(set(values))) or None
