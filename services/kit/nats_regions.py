"""Regions that subscribe to the platform's events, and what NATS gives each.

A region reads the enterprise events and the compacted states of the provinces it chose, and
the hotspots' news and agenda (whole: their subjects name a hotspot, not a province), and
nothing else: no publishing, no JetStream calls beyond its own consumers, no replies but its
own. It connects one of two ways (docs/regions.md), each in a module of its own:

- `import` (nats_region_import.py): a user in an account of its own, which imports from the
  platform's account only the pull, info and ack subjects of the durables made for it
  (`region-<name>` on each of the SHARED streams), filtered on its provinces where the
  subjects carry one;
- `leaf` (nats_region_leaf.py): its own NATS server joins ours as a leaf node, and streams of
  its own source ours through the consumers made for it, filtered likewise.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from contracts.places import province_named
from contracts.subjects import (
    AGENDA_STREAM,
    ENTERPRISE_STATES_STREAM,
    ENTERPRISES_STREAM,
    NEWS_STREAM,
    PREFIX,
    slug,
)
from services.kit.settings import ConfigError

Way = Literal["import", "leaf"]
DOMAIN = "impact"
"""The platform's JetStream domain: a leaf region reaches our streams through it."""
API_PREFIX = f"$JS.{DOMAIN}.API"
"""Where a leaf region's sources find the platform's JetStream API (`external.api`)."""
IMPORT_PREFIX = "$JS.shared.API"
"""Where an importing region finds the durables we share (its `jetstream(prefix=)`); not the
domain's prefix, which the server itself maps to the importing account's own API."""
REGIONS_FILE = "regions.json"
LEAF_ACCOUNT = "REGION"
REGION_INACTIVE_SECONDS = 30 * 86400.0
"""A region's consumers on our streams are deleted by the server after 30 days unread: a
region that stopped subscribing leaves nothing behind (it is set up anew to come back)."""
REGION_MAX_DELIVER = 20
"""The account on a region's leaf server that holds its copies of our streams."""
_NAME = re.compile(r"^[a-z][a-z0-9-]{1,30}$")


@dataclass(frozen=True)
class Region:
    """A subscribing region: its name, its provinces (subject slugs) and how it connects."""

    name: str
    provinces: tuple[str, ...]
    way: Way = "import"

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise ValueError(
                f"a region's name is lower-case letters, digits and dashes: {self.name!r}"
            )
        unknown = [p for p in self.provinces if not province_named(p)]
        if unknown or not self.provinces:
            raise ValueError(f"not a Dutch province: {', '.join(unknown) or '(none given)'}")
        chosen = tuple(sorted({slug(province_named(p)) for p in self.provinces}))
        if self.way not in ("import", "leaf"):
            raise ValueError(f"a region connects by import or leaf, not {self.way!r}")
        object.__setattr__(self, "provinces", chosen)

    @property
    def account(self) -> str:
        """Its account on our servers."""
        return f"REGION_{self.name.upper().replace('-', '_')}"

    @property
    def user(self) -> str:
        """Its user on our servers (for a leaf: the leaf connection's)."""
        return f"region-{self.name}"

    @property
    def durable(self) -> str:
        """Its consumers' name, on each of the SHARED streams."""
        return f"region-{self.name}"

    def filters(self, stream: str) -> list[str]:
        """What it reads of `stream`: its provinces' subjects, or the whole stream where the
        subjects carry no province (news and agenda)."""
        if stream in WHOLE:
            return list(WHOLE[stream])
        kind = "enterprises" if stream == ENTERPRISES_STREAM.name else "states"
        return [f"{PREFIX}.{kind}.{province}.>" for province in self.provinces]


WHOLE = {NEWS_STREAM.name: NEWS_STREAM.subjects, AGENDA_STREAM.name: AGENDA_STREAM.subjects}
"""Streams a region reads whole: `impact.v1.news.<hotspot>.…` names no province."""
SHARED = (
    ENTERPRISES_STREAM.name,
    ENTERPRISE_STATES_STREAM.name,
    NEWS_STREAM.name,
    AGENDA_STREAM.name,
)
"""The streams a region is given a consumer on, in the order they are made."""


def load_regions(folder: Path) -> list[Region]:
    """The regions set up so far (`regions.json` in the secrets folder)."""
    path = folder / REGIONS_FILE
    if not path.exists():
        return []
    try:
        entries = json.loads(path.read_text("utf-8"))
        return [Region(e["name"], tuple(e["provinces"]), e["way"]) for e in entries]
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path} is not a list of regions: {exc}") from None


def save_regions(folder: Path, regions: list[Region]) -> None:
    """Write the regions back, sorted by name."""
    entries = [
        asdict(r) | {"provinces": list(r.provinces)} for r in sorted(regions, key=lambda r: r.name)
    ]
    (folder / REGIONS_FILE).write_text(json.dumps(entries, indent=2) + "\n", "utf-8")
