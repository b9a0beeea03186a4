"""The operator's contacts file: addresses for enterprises, by KvK number or website.

Registries publish no addresses, so the operator keeps a CSV `kvk,website,email`. The
notifier mails the first address it lists for an enterprise; the registry trusts every
address it lists for one when that enterprise asks for a sign-in link.
"""

from __future__ import annotations

import abc
import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import structlog

from contracts.enterprises import EnterpriseState
from contracts.kvk import normalise_kvk
from contracts.supplements import normalise_email

log = structlog.get_logger()

_EMAIL = re.compile(r"^[^@\s<>,;:\"()\[\]]+@[^@\s<>,;:\"()\[\]]+$")
COLUMNS = ("kvk", "website", "email")

Index = tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]
"""Addresses by normalised KvK number and by normalised website, in file order."""


class ContactsFileError(ValueError):
    """The contacts file cannot be read as `kvk,website,email`."""


@dataclass(frozen=True)
class Contact:
    """One line of the directory: an address for a KvK number and/or a website."""

    email: str
    kvk: str | None = None
    website: str | None = None


def normalise_website(text: str) -> str | None:
    """`https://host/`: lower-case host, no `www.`, no port or path; None without a host."""
    text = text.strip()
    if not text:
        return None
    host = urlsplit(text if "://" in text else f"https://{text}").hostname
    if not host:
        return None
    return f"https://{host.removeprefix('www.')}/"


class Contacts(abc.ABC):
    """A directory of e-mail addresses, matched by KvK number first, then by website."""

    def address_for(self, enterprise: EnterpriseState) -> str | None:
        """The address to mail this enterprise at, or None when the directory has none."""
        by_kvk, by_site = self._index()
        for number in enterprise.kvk:
            key = normalise_kvk(number)
            if key and key in by_kvk:
                return by_kvk[key][0]
        site = normalise_website(enterprise.website) if enterprise.website else None
        return by_site[site][0] if site and site in by_site else None

    def addresses_for(self, kvk: Iterable[str], website: str | None) -> frozenset[str]:
        """Every address listed for any of these KvK numbers or for this website, in the
        form sign-in events carry (`contracts.supplements.normalise_email`), so the registry
        can compare; an address that form refuses is left out."""
        by_kvk, by_site = self._index()
        keys = {key for number in kvk if (key := normalise_kvk(number))}
        site = normalise_website(website) if website else None
        listed = [a for key in keys for a in by_kvk.get(key, ())]
        listed += by_site.get(site, ()) if site else ()
        return frozenset(address for a in listed if (address := _comparable(a)))

    @abc.abstractmethod
    def _index(self) -> Index:
        """Addresses by normalised KvK number and by normalised website."""


def _comparable(address: str) -> str | None:
    try:
        return normalise_email(address)
    except ValueError:
        return None


def index_contacts(contacts: Iterable[Contact]) -> Index:
    """Index by normalised KvK and website; per key the addresses in file order, once each
    (the first is the one mailed)."""
    by_kvk: dict[str, tuple[str, ...]] = {}
    by_site: dict[str, tuple[str, ...]] = {}
    for contact in contacts:
        kvk = normalise_kvk(contact.kvk) if contact.kvk else None
        site = normalise_website(contact.website) if contact.website else None
        for index, key in ((by_kvk, kvk), (by_site, site)):
            if key and contact.email not in index.get(key, ()):
                index[key] = (*index.get(key, ()), contact.email)
    return by_kvk, by_site


class FakeContacts(Contacts):
    """An in-memory directory for tests."""

    def __init__(self, contacts: Iterable[Contact] = ()) -> None:
        self.contacts = list(contacts)

    def _index(self) -> Index:
        return index_contacts(self.contacts)


class CsvContacts(Contacts):
    """A CSV file `kvk,website,email`, re-read when it changes; missing means nobody."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._stamp: tuple[float, int] | None = None
        self._cached: Index = ({}, {})

    def _index(self) -> Index:
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
