"""The local hotspots (impact networks such as those of Zwolle, Deventer or Nijmegen) whose
news and agenda the platform shows, from a JSON file the operator keeps.

The scraper reads it for the hotspots' feeds, the gateway for their pages and their editors.
It is read and checked once, at start-up, like every other setting: a mistake stops the
service with the entry and field that is wrong.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Self
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from contracts.places import region_named
from contracts.supplements import normalise_email, web_address

HOTSPOT_SLUG = r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$"
"""A hotspot's slug is a subject token (`impact.v1.news.<slug>.published`) and a URL part."""
EDITORS_MAX = 20

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Hotspot(BaseModel):
    """One local hotspot: who it is, where, and how its news and agenda come in. A feed is
    read by the scraper; `editors` may sign in to enter items by hand. At least one way in."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    slug: Annotated[str, StringConstraints(pattern=HOTSPOT_SLUG)]
    name: Text
    region: Text = Field(description="The labour-market region it serves, as CBS spells it")
    website: str
    news_feed: str | None = Field(default=None, description="RSS or Atom feed of its news")
    agenda_feed: str | None = Field(default=None, description="iCalendar feed of its agenda")
    editors: tuple[str, ...] = Field(
        default=(),
        max_length=EDITORS_MAX,
        description="E-mail addresses that may sign in to enter its news and agenda",
    )

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        named = region_named(value)
        if named is None:
            raise ValueError(f"{value!r} is not a labour-market region")
        return named

    @field_validator("website", "news_feed", "agenda_feed")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        return None if value is None else web_address(value)

    @field_validator("editors")
    @classmethod
    def _editors(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        addresses = tuple(normalise_email(v) for v in value)
        if len(set(addresses)) != len(addresses):
            raise ValueError("an editor is named twice")
        return addresses

    @model_validator(mode="after")
    def _a_way_in(self) -> Hotspot:
        if not (self.news_feed or self.agenda_feed or self.editors):
            raise ValueError("a hotspot needs a news feed, an agenda feed or an editor")
        return self

    @property
    def has_feed(self) -> bool:
        return bool(self.news_feed or self.agenda_feed)


class HotspotsFileError(ValueError):
    """The hotspots file cannot be used; the message names where and why."""


_LIST = TypeAdapter(list[Hotspot])


def parse_hotspots(text: str, origin: str = "hotspots file") -> tuple[Hotspot, ...]:
    """The hotspots a JSON list describes, in its order; `HotspotsFileError` naming the entry
    and field when one is wrong, or when two share a slug."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise HotspotsFileError(f"{origin}: not JSON ({error})") from None
    if not isinstance(data, list):
        raise HotspotsFileError(f"{origin}: expected a JSON list of hotspots")
    try:
        hotspots = tuple(_LIST.validate_python(data))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise HotspotsFileError(f"{origin}: entry {where}: {first['msg']}") from None
    seen: set[str] = set()
    for index, hotspot in enumerate(hotspots):
        if hotspot.slug in seen:
            raise HotspotsFileError(f"{origin}: entry {index}: slug {hotspot.slug!r} twice")
        seen.add(hotspot.slug)
    return hotspots


LINK_MAX = 2000
TITLE_MAX = 300
HTML_MAX = 20_000
"""An item's sanitised HTML at most; the scraper shortens a longer text at a tag boundary."""


def source_link(value: str) -> str:
    """A link to an item's source: an absolute http(s) address with a host and no spaces or
    credentials, as published (no scheme is guessed: `javascript:` and relative links are
    refused)."""
    text = value.strip()
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        raise ValueError("is not a web address") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ValueError("is not an http(s) address")
    if parts.username or parts.password:
        raise ValueError("must not carry a user name or password")
    if len(text) > LINK_MAX or any(c.isspace() or ord(c) < 32 for c in text):
        raise ValueError("is not a web address")
    return text


def read_hotspots(path: Path | None) -> tuple[Hotspot, ...]:
    """The hotspots in the operator's file; none without a file. `HotspotsFileError` when the
    file cannot be read or is wrong."""
    if path is None:
        return ()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise HotspotsFileError(f"{path}: cannot be read ({error})") from None
    return parse_hotspots(text, origin=str(path))


class HotspotsSetting(BaseModel):
    """The setting every service that reads the hotspots file shares (mixed into its
    settings class, so one environment variable, `IMPACTOOST_HOTSPOTS_FILE`, serves all)."""

    hotspots_file: Path | None = Field(
        default=None,
        description="JSON list of the local hotspots whose news and agenda the platform shows "
        "(slug, name, region, website, news_feed, agenda_feed, editors; contracts/hotspots.py), "
        "provided by the operator; none: no hotspots",
    )
    _hotspots: tuple[Hotspot, ...] = PrivateAttr(default=())

    @model_validator(mode="after")
    def _read_hotspots(self) -> Self:
        self._hotspots = read_hotspots(self.hotspots_file)
        return self

    @property
    def hotspots(self) -> tuple[Hotspot, ...]:
        """The hotspots of `hotspots_file`, read and checked when the settings were built."""
        return self._hotspots
