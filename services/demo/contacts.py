"""The demo's contact addresses: registries publish none, so the demo brings its own.

Every demo enterprise with a KvK number gets an address under the reserved `.example`
domain; those without one show the notifier's "undeliverable" path.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

from contracts.subjects import slug
from services.demo.sites.pso import certificate, load_entries


def demo_contacts(today: date) -> dict[str, str]:
    """KvK number -> e-mail address, for every demo certificate that publishes a KvK."""
    contacts: dict[str, str] = {}
    for entries in load_entries().values():
        for entry in entries:
            cert = certificate(entry, today)
            address = f"contact@{slug(cert.organisatie)}.example"
            for kvk in re.split(r"[,;]", cert.kvk):
                digits = re.sub(r"\D", "", kvk)
                if digits:
                    contacts[digits.zfill(8)] = address
    return contacts


def write_contacts(path: Path, today: date | None = None) -> None:
    """Write the notifier's contacts file (`kvk,website,email`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kvk", "website", "email"])
        for kvk, email in sorted(demo_contacts(today or date.today()).items()):
            writer.writerow([kvk, "", email])
