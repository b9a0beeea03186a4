"""What a buyer asks for: words, filters and paging, checked against the shared lists."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from contracts.categories import categories_by_slug
from contracts.labels import LabelName
from contracts.places import region_named, regions

MAX_PAGE = 10_000


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


def _listing(values: Callable[[], Iterable[str]]) -> Callable[[dict[str, Any]], None]:
    """Names the accepted values in the OpenAPI document, read when it is built."""

    def extra(schema: dict[str, Any]) -> None:
        schema["enum"] = list(values())

    return extra


CategorySlug = Annotated[
    str,
    Field(max_length=60, json_schema_extra=_listing(categories_by_slug)),
    AfterValidator(known_category),
]
RegionName = Annotated[
    str,
    Field(max_length=100, json_schema_extra=_listing(regions)),
    AfterValidator(known_region),
]


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
