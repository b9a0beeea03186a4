"""The operator's contacts file: addresses for enterprises, by KvK number or website.

Registries publish no addresses, so the operator keeps a CSV `kvk,website,email`. The
notifier mails the first address it lists for an enterprise; the registry trusts every
address it lists for one when that enterprise asks for a sign-in link.

The file is parsed once and again only when it changes (its size, modification time or
inode). A line that cannot be used is skipped with an error naming its number; the other
lines still count. A file that cannot be read at all (wrong header, unreadable) leaves the
last good contents in use. Asking for an address never raises.
"""

from __future__ import annotations

import abc
import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
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
    try:
        host = urlsplit(text if "://" in text else f"https://{text}").hostname
    except ValueError:  # `http://[::1`: no host anyone can be matched by
        return None
    if not host:
        return None
    return f"https://{host.removeprefix('www.')}/"


class Contacts(abc.ABC):
    """A directory of e-mail addresses, matched by KvK number first, then by website."""

    generation = 0
    """Grows whenever the directory's contents changed: mails that waited for an address may
    find one now."""

    def refresh(self) -> None:
        """Take in changes of the directory's source now (a file: when it changed)."""
        return None

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

    def replace(self, contacts: Iterable[Contact]) -> None:
        """New contents, as an operator's fixed file would bring."""
        self.contacts = list(contacts)
        self.generation += 1

    def _index(self) -> Index:
        return index_contacts(self.contacts)


Stamp = tuple[int, int, int]
"""A file version as `stat` tells it: modification time (ns), size, inode."""
MAX_LINE_ERRORS = 50
"""Bad lines logged one by one per load; the rest only counted."""


@dataclass(frozen=True)
class ContactsRead:
    """A parsed contacts file: the usable lines, and how many were skipped."""

    contacts: tuple[Contact, ...]
    skipped: int = 0


class CsvContacts(Contacts):
    """A CSV file `kvk,website,email`, parsed again only when it changed; unset or missing
    means nobody has an address. `loads` counts the parses, `skipped_lines` the bad lines of
    the contents in use."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.loads = 0
        self.skipped_lines = 0
        self._stamp: Stamp | None = None
        self._cached: Index = ({}, {})

    def refresh(self) -> None:
        """Parse the file if it changed since the last look; keep the last good contents when
        it cannot be read."""
        stamp = self._current_stamp()
        if stamp == self._stamp:
            return
        self._stamp = stamp
        if stamp is None:
            self._use(ContactsRead(()))
            return
        assert self.path is not None
        self.loads += 1
        try:
            read = read_contacts_csv(self.path)
        except (OSError, ContactsFileError) as exc:
            log.error(
                "contacts_file_unreadable",
                path=str(self.path),
                error=f"{type(exc).__name__}: {exc}",
                kept_contacts=len(self._cached[0]) + len(self._cached[1]),
            )
            return
        self._use(read)
        log.info(
            "contacts_loaded",
            path=str(self.path),
            contacts=len(read.contacts),
            skipped_lines=read.skipped,
            kvk_numbers=len(self._cached[0]),
            websites=len(self._cached[1]),
        )

    def _current_stamp(self) -> Stamp | None:
        if self.path is None:
            return None
        try:
            stat = self.path.stat()
        except OSError:  # missing (or not ours to read): nobody has an address
            return None
        return (stat.st_mtime_ns, stat.st_size, stat.st_ino)

    def _use(self, read: ContactsRead) -> None:
        self._cached = index_contacts(read.contacts)
        self.skipped_lines = read.skipped
        self.generation += 1

    def _index(self) -> Index:
        self.refresh()
        return self._cached


def read_contacts_csv(path: Path) -> ContactsRead:
    """Parse the file line by line: a line without a usable address and key, not UTF-8, or
    not CSV is skipped with an error naming it; a wrong header fails the whole file."""
    # Undecodable bytes become surrogates, so they spoil their own line, not the file.
    with path.open(newline="", encoding="utf-8-sig", errors="surrogateescape") as handle:
        reader = csv.reader(handle)
        try:
            header = [name.strip() for name in next(reader, [])]
        except csv.Error as exc:
            raise ContactsFileError(f"{path}: header is not CSV: {exc}") from exc
        if not set(COLUMNS) <= set(header):
            raise ContactsFileError(f"{path}: header must be {','.join(COLUMNS)}")
        columns = [header.index(name) for name in COLUMNS]
        contacts: list[Contact] = []
        skipped = 0
        for line, found in _lines(reader, columns):
            if isinstance(found, Contact):
                contacts.append(found)
                continue
            skipped += 1
            if skipped <= MAX_LINE_ERRORS:
                log.error("contact_line_skipped", path=str(path), line=line, problem=found)
    if skipped > MAX_LINE_ERRORS:
        log.error("contact_lines_skipped", path=str(path), lines=skipped, logged=MAX_LINE_ERRORS)
    return ContactsRead(tuple(contacts), skipped)


def _lines(reader: Any, columns: list[int]) -> Iterator[tuple[int, Contact | str]]:
    """Each non-empty line's number and its contact, or what is wrong with it; a line the
    CSV reader refuses does not stop the lines after it."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num, f"not CSV: {exc}"
            continue
        if any(field.strip() for field in row):
            yield reader.line_num, _contact(row, columns)


def _contact(row: list[str], columns: list[int]) -> Contact | str:
    """The line's contact, or what is wrong with it."""
    if any(_undecodable(field) for field in row):
        return "not UTF-8"
    kvk, website, email = (row[index].strip() if index < len(row) else "" for index in columns)
    if not _EMAIL.match(email) or "\x00" in email:
        return "no valid e-mail address"
    usable_kvk = bool(kvk) and normalise_kvk(kvk) is not None
    usable_site = bool(website) and normalise_website(website) is not None
    if not (usable_kvk or usable_site):
        return "neither a KvK number nor a website to match by"
    return Contact(
        email=email, kvk=kvk if usable_kvk else None, website=website if usable_site else None
    )


def _undecodable(field: str) -> bool:
    return any("\udc80" <= char <= "\udcff" for char in field)
