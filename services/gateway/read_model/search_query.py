"""What a buyer asks for: words, filters and paging, checked against the shared lists."""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_origin
from urllib.parse import parse_qs

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from contracts.categories import categories_by_slug
from contracts.labels import LabelName
from contracts.places import region_named

MAX_PAGE = 10_000
# The orders a buyer can choose: by name; newest listing first; soonest validity end first.
SortOrder = Literal["name", "newest", "ending"]
SORT_ORDERS: tuple[SortOrder, ...] = ("name", "newest", "ending")
# A search's own query string is short; this bounds what a link may carry back to it.
MAX_QUERY_STRING = 4_000


def known_category(slug: str) -> str:
    """The slug when the category list has it."""
    if slug not in categories_by_slug():
        known = ", ".join(categories_by_slug())
        raise ValueError(f"unknown category {slug!r}; the categories are: {known}")
    return slug


def known_region(name: str) -> str:
    """The region's own spelling, whatever the case the buyer typed it in."""
    region = region_named(name)
    if region is None:
        raise ValueError(f"unknown labour-market region {name!r}")
    return region


CategorySlug = Annotated[str, Field(max_length=60), AfterValidator(known_category)]
RegionName = Annotated[str, Field(max_length=100), AfterValidator(known_region)]


class SearchQuery(BaseModel):
    """Filters and paging of an enterprise search, as given in the query string."""

    model_config = ConfigDict(extra="ignore")

    q: str | None = Field(
        None,
        max_length=200,
        description="Words in name, place, region, themes, label level, description, "
        "keywords and category names; case- and accent-insensitive; every word must start "
        "a word there",
    )
    label: list[LabelName] = Field(default_factory=list, description="Any of these labels")
    category: list[CategorySlug] = Field(
        default_factory=list,
        max_length=50,
        description="Any of these categories (slugs of the category list)",
    )
    delivery_area: list[RegionName] = Field(
        default_factory=list,
        max_length=50,
        description="Delivers in any of these labour-market regions",
    )
    province: str | None = Field(None, max_length=100)
    region: str | None = Field(None, max_length=100)
    municipality: str | None = Field(None, max_length=100)
    reserved: bool = Field(
        False,
        description="Only enterprises that may receive a contract reserved under article 2.82 "
        "of the Aanbestedingswet 2012: those holding a counting PSO certificate with the "
        "PSO 30+ mark",
    )
    sort: SortOrder = Field(
        "name",
        description="`name` (A-Z); `newest`: most recently listed first; `ending`: the "
        "listing whose labels end soonest first, those with a label without end date last. "
        "Ties are ordered by name",
    )
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=100)

    @model_validator(mode="before")
    @classmethod
    def _drop_empty_values(cls, data: Any) -> Any:
        """An empty form field (`?label=&province=`) means no filter."""
        if not isinstance(data, dict):
            return data
        cleaned: dict[str, Any] = {}
        for key, value in data.items():
            if isinstance(value, list):
                value = [v for v in value if v not in ("", None)]
            if value not in ("", None, []):
                cleaned[key] = value
        return cleaned


def search_from_query_string(query_string: str) -> SearchQuery | None:
    """The search a query string of the search page asks for; None when it is too long, not
    a query string, or not a valid search."""
    if len(query_string) > MAX_QUERY_STRING:
        return None
    try:
        values = parse_qs(query_string, max_num_fields=200)
        data = {
            name: values[name] if get_origin(field.annotation) is list else values[name][-1]
            for name, field in SearchQuery.model_fields.items()
            if name in values
        }
        return SearchQuery.model_validate(data)
    except (ValueError, ValidationError):
        return None
