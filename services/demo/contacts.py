"""The demo's contact addresses: registries publish none, so the demo brings its own.

Every enterprise of the demo world with an e-mail address (all under the reserved `.example`
domain) gets a line per KvK number and one for its website, so the notifier finds it by KvK
(PSO, Code) or by website (Social Enterprise NL, Cedris). A few have no address, or nothing to
match it by, and show the notifier's "undeliverable" path.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from services.demo.world import World


def contact_rows(world: World) -> list[tuple[str, str, str]]:
    """`(kvk, website, email)` lines for every enterprise of the world with an address."""
    rows: list[tuple[str, str, str]] = []
    for enterprise in world.enterprises:
        if not enterprise.email:
            continue
        rows += [(kvk, "", enterprise.email) for kvk in enterprise.kvk]
        if enterprise.website:
            rows.append(("", enterprise.website, enterprise.email))
    return rows


def demo_contacts(today: date | None = None) -> dict[str, str]:
    """KvK number -> e-mail address, for every enterprise of the demo world that has both."""
    return {kvk: email for kvk, _, email in contact_rows(World(today)) if kvk}


def write_contacts(path: Path, world: World | None = None) -> None:
    """Write the notifier's contacts file (`kvk,website,email`) for the demo world."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kvk", "website", "email"])
        writer.writerows(contact_rows(world or World()))
