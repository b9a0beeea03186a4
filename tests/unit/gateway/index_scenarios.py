"""Search index scenarios shared by the SQLite and PostgreSQL tests: enterprises written the
way the benchmark's bulk fill writes them (core inserts, no projection), and the answer every
search must give, computed here from the rows by brute force."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine, Table, insert, update
from sqlmodel import Session, col, select

from contracts.categories import categories_by_slug
from contracts.labels import LABELS
from services.bench.read_model_fill import enterprise_row, fillable_columns, holding_rows
from services.bench.synthetic import PLACES, TRADE_CATEGORIES, enterprise_state
from services.gateway.read_model.projection import enterprise_values
from services.gateway.read_model.queries import SearchQuery, search_enterprises
from services.gateway.read_model.searchable import region_by_token, region_token, words
from services.gateway.read_model.tables import EnterpriseRow, HoldingRow
from services.gateway.read_model.views import EnterprisePage

ENTERPRISES: Table = EnterpriseRow.__table__  # type: ignore[attr-defined]
HOLDINGS: Table = HoldingRow.__table__  # type: ignore[attr-defined]


def bulk_fill(engine: Engine, indexes: Iterable[int]) -> None:
    """Insert synthetic enterprises and their holdings as the benchmark's fill does."""
    states = [enterprise_state(i) for i in indexes]
    sample = enterprise_values(states[0], True)
    columns = fillable_columns(ENTERPRISES, set(sample))
    held = fillable_columns(HOLDINGS, set(states[0].labels[0].model_dump()) | {"enterprise_id"})
    with Session(engine) as session:
        session.execute(insert(ENTERPRISES), [enterprise_row(s, columns) for s in states])
        session.execute(insert(HOLDINGS), [r for s in states for r in holding_rows(s, held)])
        session.commit()


def set_listed(engine: Engine, enterprise_id: str, listed: bool) -> None:
    """Another writer lists or delists an enterprise directly in the table."""
    with Session(engine) as session:
        session.execute(
            update(ENTERPRISES)
            .where(ENTERPRISES.c.enterprise_id == enterprise_id)
            .values(listed=listed)
        )
        session.commit()


def search(engine: Engine, **filters: Any) -> EnterprisePage:
    with Session(engine) as session:
        return search_enterprises(session, SearchQuery.model_validate(filters))


def expected(engine: Engine, **filters: Any) -> tuple[list[str], int, dict[str, Any]]:
    """A page's ids, the total and the facets, by brute force over the listed rows."""
    query = SearchQuery.model_validate(filters)
    with Session(engine) as session:
        rows = session.exec(select(EnterpriseRow).where(col(EnterpriseRow.listed))).all()
    rows = [row for row in rows if _words_match(row, query)]
    tests = _tests(query)
    passing = [row for row in rows if all(test(row) for test in tests.values())]
    passing.sort(key=_order(query.sort))
    start = (query.page - 1) * query.page_size
    ids = [row.enterprise_id for row in passing[start : start + query.page_size]]

    def among(facet: str) -> list[Any]:
        return [row for row in rows if all(t(row) for k, t in tests.items() if k != facet)]

    def counted(facet: str, values: Any) -> Counter[str]:
        return Counter(v for row in among(facet) for v in values(row))

    labels = counted("label", lambda r: (r.counting_labels or "").split())
    categories = counted("category", lambda r: (r.category_slugs or "").split())
    areas = counted("delivery_area", lambda r: (r.delivery_regions or "").split())
    regions = region_by_token()
    facets: dict[str, Any] = {
        "label": {label: labels[label] for label in LABELS},
        "category": {slug: categories[slug] for slug in categories_by_slug()},
        "delivery_area": dict(sorted((regions[t], n) for t, n in areas.items() if t in regions)),
        "reserved": sum(1 for row in among("reserved") if row.reserved),
    }
    for place in ("province", "region", "municipality"):
        places = counted(place, lambda r, p=place: [getattr(r, p)] if getattr(r, p) else [])
        facets[place] = dict(sorted(places.items()))
    return ids, len(passing), facets


def answered(engine: Engine, **filters: Any) -> tuple[list[str], int, dict[str, Any]]:
    page = search(engine, **filters)
    return [item.enterprise_id for item in page.items], page.total, page.facets.model_dump()


def varied_queries(count: int, seed: int = 15) -> list[dict[str, Any]]:
    """Buyer queries like the benchmark's: words, prefixes, accents and capitals, filters of
    every kind, each order, deep pages."""
    rnd = random.Random(seed)
    vocabulary = [t.lower() for t in TRADE_CATEGORIES] + [p[0].lower() for p in PLACES]
    vocabulary += ["arbeidsmarkt", "trede", "catering", "zwolle", "stomerij"]
    queries: list[dict[str, Any]] = []
    for _ in range(count):
        query: dict[str, Any] = {"page_size": rnd.choice([3, 20])}
        if rnd.random() < 0.7:
            terms = [rnd.choice(vocabulary) for _ in range(rnd.choice([1, 1, 2]))]
            terms = [t[: rnd.randint(1, len(t))] if rnd.random() < 0.4 else t for t in terms]
            query["q"] = " ".join(t.upper() if rnd.random() < 0.2 else t for t in terms)
            if rnd.random() < 0.1:
                query["q"] = query["q"].replace("e", "é")
        if rnd.random() < 0.4:
            query["label"] = rnd.sample(list(LABELS), rnd.randint(1, 3))
        if rnd.random() < 0.3:
            query["category"] = [rnd.choice(list(TRADE_CATEGORIES.values()))]
        if rnd.random() < 0.2:
            query["delivery_area"] = [rnd.choice(sorted({p[2] for p in PLACES}))]
        place = rnd.choice(["province", "region", "municipality", None, None])
        if place:
            column = {"province": 1, "region": 2, "municipality": 0}[place]
            query[place] = rnd.choice(PLACES)[column].upper()
        query["reserved"] = rnd.random() < 0.15
        query["sort"] = rnd.choice(["name", "newest", "ending"])
        query["page"] = rnd.choice([1, 1, 2, 3, 7, 40])
        queries.append(query)
    return queries


def _words_match(row: EnterpriseRow, query: SearchQuery) -> bool:
    terms = words(query.q or "")[:10]
    own = row.search_text.split()
    return all(any(word.startswith(term) for word in own) for term in terms)


def _tests(query: SearchQuery) -> dict[str, Any]:
    tests: dict[str, Any] = {}
    for key, wanted, stored in (
        ("label", set(query.label), "counting_labels"),
        ("category", set(query.category), "category_slugs"),
        ("delivery_area", {region_token(r) for r in query.delivery_area}, "delivery_regions"),
    ):
        if wanted:
            tests[key] = lambda r, w=wanted, s=stored: bool(w & set((getattr(r, s) or "").split()))
    for place in ("province", "region", "municipality"):
        value = (getattr(query, place) or "").lower()
        if value:
            tests[place] = lambda r, p=place, v=value: (getattr(r, p) or "").lower() == v
    if query.reserved:
        tests["reserved"] = lambda r: r.reserved
    return tests


def _order(sort: str) -> Any:
    if sort == "newest":
        return lambda r: (-r.listed_since.timestamp(), r.sort_name, r.enterprise_id)
    if sort == "ending":
        return lambda r: (r.listing_ends, r.sort_name, r.enterprise_id)
    return lambda r: (r.sort_name, r.enterprise_id)
