"""Pure rules: Dutch dates and validity, level names, change phrases, normalised keys."""

from __future__ import annotations

from datetime import date

import pytest

from services.notifier.domain import (
    describe_changes,
    dutch_date,
    level_name,
    listing_url,
    message_id,
    normalise_kvk,
    normalise_website,
    validity,
)
from tests.unit.notifier.factories import pso_holding

pytestmark = pytest.mark.unit


def test_dates_are_written_the_dutch_way() -> None:
    assert dutch_date(date(2026, 3, 12)) == "12 maart 2026"
    assert dutch_date(date(2025, 1, 1)) == "1 januari 2025"
    assert dutch_date(date(2025, 12, 31)) == "31 december 2025"


def test_validity_includes_the_last_day_and_copes_with_missing_dates() -> None:
    assert validity(date(2024, 3, 12), date(2026, 3, 12)) == (
        "geldig van 12 maart 2024 tot en met 12 maart 2026"
    )
    assert validity(None, date(2026, 6, 30)) == "geldig tot en met 30 juni 2026"
    assert validity(date(2022, 6, 14), None) == "geldig vanaf 14 juni 2022"
    assert validity(None, None) == "geen einddatum bekend"


def test_levels_read_as_published_with_the_pso_30_plus_mark() -> None:
    assert level_name(pso_holding(level="trede-2")) == "Trede 2"
    assert level_name(pso_holding(level="basistrede")) == "Basistrede"
    assert level_name(pso_holding(level="trede-3", pso30plus=True)) == "Trede 3, PSO 30+"
    assert level_name(pso_holding(level="boost")) == "BOOST"
    assert level_name(pso_holding(level=None)) is None


def test_changes_become_dutch_phrases_once_each_and_unknown_keys_stay_vague() -> None:
    assert describe_changes(("valid_from", "valid_until", "labels")) == (
        "de geldigheid van uw label",
        "de labels waarmee u zichtbaar bent",
    )
    assert describe_changes(("something_new",)) == ("overige gegevens van uw vermelding",)
    assert describe_changes(()) == ("overige gegevens van uw vermelding",)


def test_kvk_numbers_are_digits_zero_padded_to_eight() -> None:
    assert normalise_kvk("0612 3456") == "06123456"
    assert normalise_kvk("6.123.456") == "06123456"
    assert normalise_kvk("KvK 123") is None
    assert normalise_kvk("123456789") is None


def test_websites_become_https_host_without_www() -> None:
    assert normalise_website("http://WWW.Kringlooptwente.nl/over-ons?x=1") == (
        "https://kringlooptwente.nl/"
    )
    assert normalise_website("www.kringlooptwente.nl") == "https://kringlooptwente.nl/"
    assert normalise_website("https://kringlooptwente.nl:8443/") == "https://kringlooptwente.nl/"
    assert normalise_website("  ") is None


def test_listing_url_and_message_id_come_from_ids_alone() -> None:
    assert listing_url("http://127.0.0.1:8000/", "abc") == "http://127.0.0.1:8000/ondernemingen/abc"
    assert message_id("0123456789abcdef") == "<0123456789abcdef@impactoost>"
    odd = message_id("not safe>\r\nBcc: x")
    assert odd == message_id("not safe>\r\nBcc: x")
    assert odd.startswith("<") and odd.endswith("@impactoost>") and "\n" not in odd
