"""The query parameters the news and agenda pages, feeds and API share, and the links that
carry them."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query

from services.gateway.read_model.queries import MAX_PAGE

SLUG_PATTERN = r"^[a-z0-9-]{0,64}$"  # empty: the form's "all" choice
RegionParam = Annotated[
    str | None,
    Query(
        max_length=64,
        pattern=SLUG_PATTERN,
        description="A labour-market region, as its slug (`regio-zwolle`)",
    ),
]
HotspotParam = Annotated[
    str | None,
    Query(max_length=64, pattern=SLUG_PATTERN, description="A hotspot, as its slug"),
]
PageParam = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1")]


def page_url(base: str, page: int, **filters: str | None) -> str:
    """`base` with the filters set and the page (left out when 1)."""
    params = [(key, value) for key, value in filters.items() if value]
    if page > 1:
        params.append(("page", str(page)))
    return f"{base}?{urlencode(params)}" if params else base
