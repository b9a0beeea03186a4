"""Who receives an enterprise's mail: registries publish no addresses, so a directory does."""

from __future__ import annotations

import abc
import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import structlog

from contracts.enterprises import EnterpriseState
from services.notifier.domain import normalise_kvk, normalise_website

log = structlog.get_logger()

_EMAIL = re.compile(r"^[^@\s<>,;:\"()\[\]]+@[^@\s<>,;:\"()\[\]]+$")
COLUMNS = ("kvk", "website", "email")


class ContactsFileError(ValueError):
    """The contacts file cannot be read as `kvk,website,email`."""


@dataclass(frozen=True)
class Contact:
    """One line of the directory: an address for a KvK number and/or a website."""

    email: str
    kvk: str | None = None
    website: str | None = None


class Contacts(abc.ABC):
    """A directory of e-mail addresses, matched by KvK number first, then by website."""

    def address_for(self, enterprise: EnterpriseState) -> str | None:
        """The address for this enterprise, or None when the directory has none."""
        by_kvk, by_site = self._index()
        for number in enterprise.kvk:
            key = normalise_kvk(number)
            if key and key in by_kvk:
                return by_kvk[key]
        site = normalise_website(enterprise.website) if enterprise.website else None
        return by_site.get(site) if site else None

    @abc.abstractmethod
    def _index(self) -> tuple[dict[str, str], dict[str, str]]:
        """Addresses by normalised KvK number and by normalised website."""


def index_contacts(contacts: Iterable[Contact]) -> tuple[dict[str, str], dict[str, str]]:
    """Index by normalised KvK and website; the first line naming a key wins."""
    by_kvk: dict[str, str] = {}
    by_site: dict[str, str] = {}
    for contact in contacts:
        kvk = normalise_kvk(contact.kvk) if contact.kvk else None
        site = normalise_website(contact.website) if contact.website else None
        if kvk:
            by_kvk.setdefault(kvk, contact.email)
        if site:
            by_site.setdefault(site, contact.email)
    return by_kvk, by_site


class FakeContacts(Contacts):
    """An in-memory directory for tests."""

    def __init__(self, contacts: Iterable[Contact] = ()) -> None:
        self.contacts = list(contacts)

    def _index(self) -> tuple[dict[str, str], dict[str, str]]:
        return index_contacts(self.contacts)


class CsvContacts(Contacts):
    """A CSV file `kvk,website,email`, re-read when it changes; missing means nobody."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._stamp: tuple[float, int] | None = None
        self._cached: tuple[dict[str, str], dict[str, str]] = ({}, {})

    def _index(self) -> tuple[dict[str, str], dict[str, str]]:
        if self.path is None:
            return {}, {}
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return {}, {}
        if self._stamp != (stat.st_mtime, stat.st_size):
            self._cached = index_contacts(read_contacts_csv(self.path))
            self._stamp = (stat.st_mtime, stat.st_size)
            log.info(
                "contacts_loaded",
                path=str(self.path),
                kvk_numbers=len(self._cached[0]),
                websites=len(self._cached[1]),
            )
        return self._cached


def read_contacts_csv(path: Path) -> list[Contact]:
    """Parse the file; lines without a usable address or key are skipped with a warning."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or not set(COLUMNS) <= {f.strip() for f in reader.fieldnames}:
            raise ContactsFileError(f"{path}: header must be {','.join(COLUMNS)}")
        rows = [
            {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
            for row in reader
        ]
    contacts = []
    for line, row in enumerate(rows, start=2):
        email = row.get("email", "")
        if not _EMAIL.match(email) or not (row.get("kvk") or row.get("website")):
            log.warning("contact_skipped", path=str(path), line=line)
            continue
        contacts.append(
            Contact(email=email, kvk=row.get("kvk") or None, website=row.get("website") or None)
        )
    return contacts
