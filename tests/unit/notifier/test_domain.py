"""Pure rules: Dutch dates and validity, level names, change phrases, normalised keys."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.notifier.domain import (
    days_left,
    days_left_text,
    describe_changes,
    dutch_date,
    holding_validity,
    level_name,
    listing_url,
    message_id,
    normalise_kvk,
    normalise_website,
    validity,
)
from tests.unit.notifier.factories import enterprise, in_grace, pso_holding

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
    state = enterprise()
    assert describe_changes(("valid_from", "valid_until", "labels"), state) == (
        "de geldigheid van uw label",
        "de labels waarmee u zichtbaar bent",
    )
    assert describe_changes(("something_new",), state) == ("overige gegevens van uw vermelding",)
    assert describe_changes((), state) == ("overige gegevens van uw vermelding",)


def test_a_grace_period_that_starts_names_the_lapsed_label_and_the_last_listed_day() -> None:
    assert describe_changes(("grace_until",), in_grace(date(2026, 4, 11))) == (
        "uw label PSO (Prestatieladder Socialer Ondernemen) is vervallen; uw vermelding "
        "blijft zichtbaar als „hercertificering loopt” tot en met 11 april 2026",
    )


def test_a_grace_period_that_ends_with_the_enterprise_still_listed_drops_the_mark() -> None:
    assert describe_changes(("labels", "grace_until"), enterprise()) == (
        "de labels waarmee u zichtbaar bent",
        "uw vermelding toont niet langer „hercertificering loopt”",
    )


def test_a_label_in_its_grace_period_says_until_when_it_still_counts() -> None:
    holding = pso_holding(status="verlopen", grace_until=date(2026, 4, 11))
    assert holding_validity(holding) == (
        "geldig van 12 maart 2024 tot en met 12 maart 2026; "
        "hercertificering loopt tot en met 11 april 2026"
    )


def test_days_left_count_from_the_dutch_date_of_the_event_and_never_go_negative() -> None:
    last_day = date(2026, 3, 12)
    assert days_left(last_day, datetime(2026, 2, 10, 12, 0, tzinfo=UTC)) == 30
    # 23:30 UTC on 10 February is already 11 February in the Netherlands
    assert days_left(last_day, datetime(2026, 2, 10, 23, 30, tzinfo=UTC)) == 29
    assert days_left(last_day, datetime(2026, 3, 20, 9, 0, tzinfo=UTC)) == 0
    assert [days_left_text(n) for n in (30, 1, 0)] == [
        "nog 30 dagen",
        "nog 1 dag",
        "alleen vandaag nog",
    ]


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
