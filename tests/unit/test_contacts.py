"""Addresses come from a CSV directory: the one to mail is matched by KvK number first, then
website; every address listed for an enterprise is trusted for its sign-in; none is no error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from services.kit.contacts import (
    Contact,
    ContactsFileError,
    CsvContacts,
    FakeContacts,
    normalise_website,
    read_contacts_csv,
)
from tests.unit.notifier.factories import enterprise

pytestmark = pytest.mark.unit

CSV = """kvk,website,email
06123456,,kvk@kringloop.example
,https://www.kringlooptwente.nl/,site@kringloop.example
87654321,https://elders.example/,elders@elders.example
"""


def _csv(tmp_path: Path, text: str = CSV) -> Path:
    path = tmp_path / "contacts.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_kvk_number_match_wins_over_a_website_match(tmp_path: Path) -> None:
    contacts = CsvContacts(_csv(tmp_path))
    assert contacts.address_for(enterprise()) == "kvk@kringloop.example"


def test_any_of_the_enterprise_kvk_numbers_matches(tmp_path: Path) -> None:
    contacts = CsvContacts(_csv(tmp_path))
    state = enterprise(kvk=("11111111", "87654321"), website=None)
    assert contacts.address_for(state) == "elders@elders.example"


def test_without_a_kvk_match_the_normalised_website_host_matches(tmp_path: Path) -> None:
    contacts = CsvContacts(_csv(tmp_path))
    state = enterprise(kvk=("99999999",), website="http://kringlooptwente.nl/winkel")
    assert contacts.address_for(state) == "site@kringloop.example"


def test_leading_zeros_dropped_by_a_spreadsheet_still_match(tmp_path: Path) -> None:
    contacts = CsvContacts(_csv(tmp_path, "kvk,website,email\n6123456,,zero@kringloop.example\n"))
    assert contacts.address_for(enterprise()) == "zero@kringloop.example"


def test_nobody_has_an_address_when_the_file_is_unset_or_missing(tmp_path: Path) -> None:
    assert CsvContacts(None).address_for(enterprise()) is None
    assert CsvContacts(tmp_path / "absent.csv").address_for(enterprise()) is None


def test_an_enterprise_not_in_the_directory_has_no_address(tmp_path: Path) -> None:
    contacts = CsvContacts(_csv(tmp_path))
    assert contacts.address_for(enterprise(kvk=(), website="https://onbekend.example/")) is None
    assert contacts.address_for(enterprise(kvk=(), website=None)) is None


def test_lines_without_a_valid_address_or_key_are_skipped(tmp_path: Path) -> None:
    text = (
        "kvk,website,email\n06123456,,not-an-address\n06123456,,\n,,orphan@x.example\n"
        "06123456,,good@kringloop.example,extra\n"
    )
    assert CsvContacts(_csv(tmp_path, text)).address_for(enterprise()) == "good@kringloop.example"


def test_a_file_with_the_wrong_header_is_an_error_not_silence(tmp_path: Path) -> None:
    contacts = CsvContacts(_csv(tmp_path, "nummer;mail\n06123456;a@b.example\n"))
    with capture_logs() as logs:
        assert contacts.address_for(enterprise()) is None
    (error,) = [entry for entry in logs if entry["log_level"] == "error"]
    assert error["event"] == "contacts_file_unreadable"
    assert "header must be kvk,website,email" in error["error"]
    with pytest.raises(ContactsFileError):
        read_contacts_csv(contacts.path or tmp_path)


def test_an_edited_file_is_read_again(tmp_path: Path) -> None:
    path = _csv(tmp_path, "kvk,website,email\n")
    contacts = CsvContacts(path)
    assert contacts.address_for(enterprise()) is None
    path.write_text("kvk,website,email\n06123456,,new@kringloop.example\n", encoding="utf-8")
    os.utime(path, (1, 1))
    assert contacts.address_for(enterprise()) == "new@kringloop.example"


def test_a_spreadsheet_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("kvk,website,email\n06123456,,bom@kringloop.example\n".encode("utf-8-sig"))
    assert CsvContacts(path).address_for(enterprise()) == "bom@kringloop.example"


def test_the_fake_directory_matches_like_the_real_one() -> None:
    contacts = FakeContacts(
        [
            Contact("site@x.example", website="kringlooptwente.nl"),
            Contact("kvk@x.example", kvk="06123456"),
        ]
    )
    assert contacts.address_for(enterprise()) == "kvk@x.example"
    assert contacts.address_for(enterprise(kvk=())) == "site@x.example"


MANY = """kvk,website,email
06123456,,eigenaar@kringloop.example
6123456,,Inkoop@Kringloop.EXAMPLE
06123456,,eigenaar@kringloop.example
,https://www.kringlooptwente.nl/,site@kringloop.example
87654321,https://elders.example/,elders@elders.example
11111111,,onbereikbaar@localhost
"""


def test_every_address_listed_for_the_kvk_numbers_or_the_website_is_returned(
    tmp_path: Path,
) -> None:
    contacts = CsvContacts(_csv(tmp_path, MANY))
    found = contacts.addresses_for(["0612.3456"], "http://kringlooptwente.nl/winkel")
    assert found == {
        "eigenaar@kringloop.example",
        "Inkoop@kringloop.example",
        "site@kringloop.example",
    }


def test_addresses_for_a_website_alone_or_for_kvk_numbers_alone(tmp_path: Path) -> None:
    contacts = CsvContacts(_csv(tmp_path, MANY))
    assert contacts.addresses_for([], "https://elders.example/contact") == {"elders@elders.example"}
    assert contacts.addresses_for(["99999999", "87654321"], None) == {"elders@elders.example"}


def test_no_addresses_for_an_enterprise_the_file_does_not_name(tmp_path: Path) -> None:
    contacts = CsvContacts(_csv(tmp_path, MANY))
    assert contacts.addresses_for(["99999999", "KvK"], "https://onbekend.example/") == frozenset()
    assert contacts.addresses_for([], None) == frozenset()
    assert CsvContacts(None).addresses_for(["06123456"], None) == frozenset()


def test_an_address_no_sign_in_could_carry_is_not_trusted(tmp_path: Path) -> None:
    contacts = CsvContacts(_csv(tmp_path, MANY))
    assert contacts.addresses_for(["11111111"], None) == frozenset()


def test_the_mailed_address_stays_the_first_one_listed(tmp_path: Path) -> None:
    contacts = CsvContacts(_csv(tmp_path, MANY))
    assert contacts.address_for(enterprise()) == "eigenaar@kringloop.example"


def test_the_fake_directory_trusts_like_the_real_one() -> None:
    contacts = FakeContacts(
        [Contact("a@x.example", kvk="06123456"), Contact("b@x.example", website="x.example")]
    )
    assert contacts.addresses_for(["06123456"], "https://www.x.example/") == {
        "a@x.example",
        "b@x.example",
    }


def test_kvk_numbers_in_the_file_are_read_by_the_one_kvk_rule() -> None:
    contacts = FakeContacts(
        [
            Contact("short@x.example", kvk="6.123.456"),
            Contact("garbage@x.example", kvk="KvK 123"),
            Contact("long@x.example", kvk="061234567"),
        ]
    )
    assert contacts.address_for(enterprise(kvk=("0612 3456",), website=None)) == ("short@x.example")
    assert contacts.addresses_for(["00000123", "61234567"], None) == frozenset()


def test_websites_become_https_host_without_www() -> None:
    assert normalise_website("http://WWW.Kringlooptwente.nl/over-ons?x=1") == (
        "https://kringlooptwente.nl/"
    )
    assert normalise_website("www.kringlooptwente.nl") == "https://kringlooptwente.nl/"
    assert normalise_website("https://kringlooptwente.nl:8443/") == "https://kringlooptwente.nl/"
    assert normalise_website("  ") is None
