"""The contacts file is parsed once and again only when it changes; a bad line costs that
line alone (with an error naming it), and a file that cannot be read keeps the last good
contents in use."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from services.kit.contacts import CsvContacts, normalise_website
from tests.unit.notifier.factories import enterprise

pytestmark = pytest.mark.unit

HEADER = "kvk,website,email\n"
GOOD = "06123456,,info@kringloop.example\n"
ROWS = 225_000


def write(path: Path, text: str | bytes, mtime: int) -> Path:
    """Write and stamp the file with its own modification time, as an edit a second later."""
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    os.utime(path, (mtime, mtime))
    return path


def big_file(path: Path) -> Path:
    """225,000 lines, Kringloop Twente's the last."""
    lines = [
        f"{10_000_000 + n:08d},https://site{n}.example/,info{n}@site{n}.example\n"
        for n in range(ROWS - 1)
    ]
    return write(path, HEADER + "".join(lines) + GOOD, 1_000)


def test_a_225000_line_file_is_parsed_once_for_many_lookups(tmp_path: Path) -> None:
    contacts = CsvContacts(big_file(tmp_path / "contacts.csv"))
    for version in range(1, 201):
        assert contacts.address_for(enterprise(version=version)) == "info@kringloop.example"
        assert contacts.address_for(enterprise(kvk=(), website="https://site7.example/x")) == (
            "info7@site7.example"
        )
    assert contacts.loads == 1


def test_a_changed_file_is_parsed_again_once(tmp_path: Path) -> None:
    path = write(tmp_path / "contacts.csv", HEADER + GOOD, 1_000)
    contacts = CsvContacts(path)
    assert contacts.address_for(enterprise()) == "info@kringloop.example"
    write(path, HEADER + "06123456,,nieuw@kringloop.example\n", 2_000)
    for _ in range(10):
        assert contacts.address_for(enterprise()) == "nieuw@kringloop.example"
    assert contacts.loads == 2


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (b"06123456,,not-an-address\n", "no valid e-mail address"),
        (b",,orphan@x.example\n", "neither a KvK number nor a website"),
        (b"KvK,http://[::1,ipv6@x.example\n", "neither a KvK number nor a website"),
        (b"87654321,,caf\xe9@latin1.example\n", "not UTF-8"),
        (b'87654321,"' + b"x" * 200_000 + b'",long@x.example\n', "not CSV"),
        (b"87654321,,nul\x00@x.example\n", "no valid e-mail address"),
    ],
)
def test_a_bad_line_is_skipped_with_an_error_naming_it_and_the_others_count(
    tmp_path: Path, line: bytes, problem: str
) -> None:
    text = (
        (HEADER + ",https://elders.example/,elders@elders.example\n").encode()
        + line
        + GOOD.encode()
    )
    contacts = CsvContacts(write(tmp_path / "contacts.csv", text, 1_000))
    with capture_logs() as logs:
        assert contacts.address_for(enterprise()) == "info@kringloop.example"
    assert contacts.address_for(enterprise(kvk=(), website="elders.example")) == (
        "elders@elders.example"
    )
    (error,) = [entry for entry in logs if entry["log_level"] == "error"]
    assert (error["event"], error["line"]) == ("contact_line_skipped", 3)
    assert problem in error["problem"]
    assert contacts.skipped_lines == 1


def test_a_file_that_cannot_be_read_keeps_the_last_good_contents(tmp_path: Path) -> None:
    path = write(tmp_path / "contacts.csv", HEADER + GOOD, 1_000)
    contacts = CsvContacts(path)
    assert contacts.address_for(enterprise()) == "info@kringloop.example"
    generation = contacts.generation
    write(path, "nummer;mail\n06123456;ander@x.example\n", 2_000)
    with capture_logs() as logs:
        for _ in range(5):
            assert contacts.address_for(enterprise()) == "info@kringloop.example"
    assert [e["event"] for e in logs if e["log_level"] == "error"] == ["contacts_file_unreadable"]
    assert contacts.generation == generation
    write(path, HEADER + "06123456,,hersteld@kringloop.example\n", 3_000)
    assert contacts.address_for(enterprise()) == "hersteld@kringloop.example"
    assert contacts.generation == generation + 1


def test_an_odd_website_matches_nothing_instead_of_raising(tmp_path: Path) -> None:
    assert normalise_website("http://[::1") is None
    contacts = CsvContacts(write(tmp_path / "contacts.csv", HEADER + GOOD, 1_000))
    assert contacts.address_for(enterprise(kvk=(), website="http://[::1")) is None
    assert contacts.addresses_for([], "http://[::1") == frozenset()
