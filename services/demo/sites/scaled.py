"""The demo registries scaled up: any number of holdings per registry, deterministic.

Each scaled entry copies one of the demo world's entries (its place, level, dates, texts), so
pages are as long and as varied as the demo's own, and makes it a holding of its own: a
numbered name, key, website and KvK number that no other holding shares, so every holding
founds its own enterprise. The same count always gives the same entries.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from datetime import date
from typing import Any

from contracts.labels import LABELS, LabelName
from services.demo.world import World

# Where each registry's KvK numbers start, so that no two registries share one.
_KVK_BASE: dict[LabelName, int] = {
    "pso": 40_000_000,
    "codeso": 50_000_000,
    "senl": 60_000_000,
    "cedris": 70_000_000,
}
# The entry field holding each registry's key.
KEY_FIELD: dict[LabelName, str] = {
    "pso": "nummer",
    "codeso": "slug",
    "senl": "slug",
    "cedris": "id",
}


def scaled_entries(label: LabelName, count: int, world: World) -> list[dict[str, Any]]:
    """`count` entries in the `label` registry's own format, built from the world's step 0."""
    if count < 1:
        raise ValueError(f"a scaled registry needs at least one holding, not {count}")
    templates = world.entries(label, 0)
    return [_entry(label, templates[i % len(templates)], i + 1) for i in range(count)]


def _entry(label: LabelName, template: dict[str, Any], number: int) -> dict[str, Any]:
    entry = dict(template)
    slug = f"{label}-{number:05d}"
    if label == "pso":
        entry.pop("certificaat", None)  # the number then follows `nummer`, unique per entry
        entry["nummer"] = f"{number:05d}"
        entry["organisatie"] = f"{template['organisatie']} {number}"
        entry["kvk"] = str(_KVK_BASE[label] + number)
        return entry
    entry["naam"] = f"{template['naam']} {number}"
    entry["website"] = f"https://www.{slug}.example.nl/"
    entry[KEY_FIELD[label]] = slug
    if label == "codeso":
        entry["kvk"] = str(_KVK_BASE[label] + number)
    return entry


@contextlib.contextmanager
def scaled_registries(count: int, today: date | None = None) -> Iterator[dict[LabelName, Any]]:
    """The four demo registries, each serving `count` scaled holdings as page set "A"."""
    world = World(today)
    sites: dict[LabelName, Any] = {}
    try:
        for label in LABELS:
            module = importlib.import_module(f"services.demo.sites.{label}")
            site = getattr(module, f"start_{label}_site")(today=world.today)
            sites[label] = site
            site.define_page_set("A", scaled_entries(label, count, world))
            site.use("A")
        yield sites
    finally:
        for site in sites.values():
            with contextlib.suppress(Exception):
                site.stop()
