"""The notifier benchmark's data (pure): a large operator's contacts file, listing events of
enterprises that file has an address for, and the lines the counting mail server prints.

Every benchmark enterprise has its own contacts row, spread evenly over the file (so its
address is found among 225,000 others, as in production), and is listed for the first time:
the welcome mail, the mail every enterprise receives.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from contracts.base import deterministic_id
from contracts.enterprises import EnterpriseListed
from contracts.subjects import enterprise_subject
from services.bench.jetstream import Message
from services.bench.synthetic import MOMENT, enterprise_state

CONTACT_ROWS = 225_000
"""Rows of the contacts file, as large as the fault-injection run's."""
CONTACTS_HEADER = "kvk,website,email\n"
_FIRST_KVK = 30_000_000


def contact_kvk(row: int) -> str:
    """The KvK number of the contacts file's `row` (0-based, after the header)."""
    return f"{_FIRST_KVK + row:08d}"


def contact_email(row: int) -> str:
    """The address the contacts file lists on `row`."""
    return f"info{row}@onderneming{row}.example"


def contact_lines(rows: int = CONTACT_ROWS) -> Iterator[str]:
    """The contacts file, line by line: the header, then one address per KvK number (every
    third line also names a website, as operators' files do)."""
    yield CONTACTS_HEADER
    for row in range(rows):
        website = f"https://onderneming{row}.example/" if row % 3 == 0 else ""
        yield f"{contact_kvk(row)},{website},{contact_email(row)}\n"


def contact_row(mail: int, mails: int, rows: int = CONTACT_ROWS) -> int:
    """The contacts row of the benchmark's `mail`-th enterprise (of `mails`): spread evenly,
    so lookups do not all hit the file's first lines."""
    if not 0 <= mail < mails <= rows:
        raise ValueError(f"mail {mail} of {mails} does not fit {rows} contacts rows")
    return mail * (rows // mails)


def listed_event(run: str, mail: int, row: int) -> EnterpriseListed:
    """A first listing (not a move: `listed_since` is the event's own moment) of an
    enterprise whose only KvK number is the contacts file's `row`."""
    base = enterprise_state(mail)
    state = base.model_copy(
        update={
            "enterprise_id": f"mail{run}{mail:07d}",
            "kvk": (contact_kvk(row),),
            "listed_since": MOMENT,
            "supplement": None,
        }
    )
    return EnterpriseListed(
        event_id=deterministic_id("bench-mail", run, mail),
        occurred_at=MOMENT,
        source="impactoost-bench",
        enterprise=state,
    )


def listing_messages(run: str, first: int, count: int, mails: int) -> list[Message]:
    """`count` listing events of run `run` (enterprises `first`… of `mails` in all, so each
    has its own contacts row), as the registry publishes them to ENTERPRISES."""
    messages = []
    for mail in range(first, first + count):
        event = listed_event(run, mail, contact_row(mail, mails))
        place = event.enterprise
        subject = enterprise_subject(place.province, place.region, "listed")
        messages.append(Message.of(subject, event))
    return messages


@dataclass(frozen=True)
class Received:
    """One mail the counting server accepted: when (`time.monotonic`, the same clock in
    every process of the machine), where its bytes are in the server's store, its envelope."""

    at: float
    offset: int
    length: int
    sender: str
    recipients: tuple[str, ...]

    def line(self) -> str:
        """As the server prints it: tab-separated, recipients comma-separated."""
        rcpt = ",".join(self.recipients)
        return f"{self.at:.6f}\t{self.offset}\t{self.length}\t{self.sender}\t{rcpt}"

    @classmethod
    def parse(cls, line: str) -> Received:
        """A line the server printed; ValueError for anything else."""
        fields = line.rstrip("\n").split("\t")
        if len(fields) != 5:
            raise ValueError(f"not a received-mail line: {line!r}")
        at, offset, length, sender, rcpt = fields
        return cls(float(at), int(offset), int(length), sender, tuple(rcpt.split(",")))


def mails_per_second(count: int, began: float, last_received: float) -> float:
    """`count` mails from `began` until the last one was received."""
    if count <= 0 or last_received <= began:
        raise ValueError(f"no rate for {count} mails in [{began}, {last_received}]")
    return count / (last_received - began)


def cpu_seconds(stat: str, ticks_per_second: int) -> float:
    """User + system CPU time of a process from its /proc/<pid>/stat text (the fields after
    the command name, which may hold spaces and parentheses)."""
    fields = stat[stat.rindex(")") + 2 :].split()
    # utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    return (int(fields[11]) + int(fields[12])) / ticks_per_second
