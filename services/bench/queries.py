"""Buyer queries for the search benchmark: seeded, varied, and each one asked only once.

Pure. Words and word prefixes come from what the benchmark's enterprises hold (their names,
trades, places and categories' words), typed in any case and with or without accents; filters
from the category list, the labour-market regions and the places; then labels, reserved
contracts, the three orders and pages up to `MAX_PAGE` deep. No answer cache can serve these:
within one call every path is distinct, and a run draws all its repetitions from one call.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from functools import cache
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from contracts.categories import CATEGORIES
from contracts.labels import LABELS
from contracts.places import municipalities, regions
from contracts.text import fold
from services.bench.population import NAME_WORDS
from services.bench.synthetic import TRADES
from services.gateway.read_model.search_query import SORT_ORDERS

SEARCH_PATH = "/api/v1/enterprises"
PAGE_SIZE = 20
MAX_PAGE = 300
# Searches the answer cache serves once warmed: words, filters, a second page.
CACHED: tuple[str, ...] = (
    f"{SEARCH_PATH}?q=kringloop",
    f"{SEARCH_PATH}?q=catering&label=pso",
    f"{SEARCH_PATH}?province=Gelderland&label=cedris",
    f"{SEARCH_PATH}?q=taalcafe%20zwolle",
    f"{SEARCH_PATH}?region=Twente&q=schoonmaak&page=2",
    f"{SEARCH_PATH}?municipality=Zwolle&label=senl&label=codeso",
    f"{SEARCH_PATH}?category=catering&category=schoonmaak&delivery_area=Twente",
    f"{SEARCH_PATH}?label=pso&sort=newest",
)
# Give up drawing after this many repeats in a row: the mix has run out of distinct queries.
_MAX_REPEATS = 1_000


@cache
def search_words() -> tuple[str, ...]:
    """Whole words a buyer may type: name words, trades, places and category words."""
    places = [m.name for m in municipalities()]
    offered = [word for c in CATEGORIES for word in (c.name, *c.keywords[:4])]
    return tuple(dict.fromkeys([*NAME_WORDS, *TRADES, *places, *offered]))


def buyer_queries(seed: int, count: int) -> list[str]:
    """`count` distinct search paths (with query string), the same ones for the same seed."""
    draw = random.Random(seed)
    queries: list[str] = []
    repeats = 0
    seen = {_identity(parse_qsl(urlsplit(path).query)) for path in CACHED}
    while len(queries) < count:
        pairs = _query(draw)
        identity = _identity(pairs)
        if identity in seen:
            repeats += 1
            if repeats > _MAX_REPEATS:
                raise ValueError(f"only {len(queries)} distinct queries could be drawn")
            continue
        repeats = 0
        seen.add(identity)
        queries.append(_path(pairs))
    return queries


def _identity(pairs: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """What makes two searches the same answer: folded words, filters in any order, and the
    defaults (sort by name, page 1 of 20) whether given or not."""
    defaults = {("sort", "name"), ("page", "1"), ("page_size", str(PAGE_SIZE))}
    same = {(k, " ".join(fold(v).split()) if k == "q" else fold(v)) for k, v in pairs}
    return tuple(sorted(same - defaults))


def _query(draw: random.Random) -> list[tuple[str, str]]:
    """One buyer's search as query-string pairs."""
    pairs: list[tuple[str, str]] = []
    if draw.random() < 0.75:
        pairs.append(("q", _text(draw)))
    for chance, field in _FILTERS:
        if draw.random() < chance:
            pairs += field(draw)
    sort = draw.choice(SORT_ORDERS)
    if sort != "name" or draw.random() < 0.3:
        pairs.append(("sort", sort))
    page = _page(draw)
    if page > 1 or draw.random() < 0.3:
        pairs += [("page", str(page)), ("page_size", str(PAGE_SIZE))]
    return pairs


def _text(draw: random.Random) -> str:
    """A whole word, a word's beginning (3 letters or more), or two words."""
    words = search_words()
    kind = draw.random()
    if kind < 0.4:
        return _typed(draw, draw.choice(words))
    if kind < 0.7:
        word = fold(draw.choice(words)).split()[0]
        return word[: draw.randint(min(3, len(word)), len(word))]
    return f"{_typed(draw, draw.choice(words))} {_typed(draw, draw.choice(words))}"


def _typed(draw: random.Random, word: str) -> str:
    """As a buyer types it: as written, lower case, or without its accents."""
    return draw.choice((word, word.lower(), fold(word)))


def _page(draw: random.Random) -> int:
    kind = draw.random()
    if kind < 0.5:
        return 1
    if kind < 0.75:
        return draw.randint(2, 20)
    return draw.randint(21, MAX_PAGE)


def _labels(draw: random.Random) -> list[tuple[str, str]]:
    return [("label", label) for label in draw.sample(LABELS, draw.randint(1, 3))]


def _categories(draw: random.Random) -> list[tuple[str, str]]:
    chosen = draw.sample(CATEGORIES, draw.randint(1, 2))
    return [("category", category.slug) for category in chosen]


def _delivery_areas(draw: random.Random) -> list[tuple[str, str]]:
    chosen = draw.sample(regions(), draw.randint(1, 2))
    return [("delivery_area", _typed(draw, region)) for region in chosen]


def _place(draw: random.Random) -> list[tuple[str, str]]:
    place = draw.choice(municipalities())
    field, value = draw.choice(
        (
            ("province", place.province),
            ("region", place.labour_market_region),
            ("municipality", place.name),
        )
    )
    return [(field, value)]


def _reserved(_draw: random.Random) -> list[tuple[str, str]]:
    return [("reserved", "true")]


_FILTERS: tuple[tuple[float, Callable[[random.Random], list[tuple[str, str]]]], ...] = (
    (0.3, _labels),
    (0.2, _categories),
    (0.15, _delivery_areas),
    (0.3, _place),
    (0.1, _reserved),
)


def _path(pairs: list[tuple[str, str]]) -> str:
    query = urlencode(pairs, quote_via=quote)
    return f"{SEARCH_PATH}?{query}" if query else SEARCH_PATH
