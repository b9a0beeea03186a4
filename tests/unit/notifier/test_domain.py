"""Pure rules: Dutch dates and validity, level names, change phrases, mailed changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from contracts.supplements import SUPPLEMENT_FIELDS
from services.notifier.domain import (
    days_left,
    days_left_text,
    describe_changes,
    dutch_date,
    hidden_field_names,
    holding_validity,
    is_mailed,
    is_move,
    level_name,
    link_issued,
    listing_url,
    message_id,
    signin_url,
    supplement_url,
    validity,
)
from tests.unit.notifier.factories import (
    delisted,
    enterprise,
    granted,
    in_grace,
    listed,
    moved,
    moved_away,
    pso_holding,
    supplement_hidden,
    updated,
)

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


def test_listing_url_and_message_id_come_from_ids_alone() -> None:
    assert listing_url("http://127.0.0.1:8000/", "abc") == "http://127.0.0.1:8000/ondernemingen/abc"
    domain = "impactoost.example"
    assert message_id("0123456789abcdef", domain) == "<0123456789abcdef@impactoost.example>"
    odd = message_id("not safe>\r\nBcc: x", domain)
    assert odd == message_id("not safe>\r\nBcc: x", domain)
    assert odd.startswith("<") and odd.endswith("@impactoost.example>") and "\n" not in odd


@pytest.mark.parametrize(
    "changes",
    [
        ("supplement",),
        ("categories", "categories_chosen"),
        ("summary",),
        ("supplement", "categories", "categories_chosen", "summary"),
    ],
)
def test_an_update_only_of_the_supplement_categories_or_summary_is_not_mailed(
    changes: tuple[str, ...],
) -> None:
    assert not is_mailed(updated(changes=changes))


@pytest.mark.parametrize("changes", [("labels",), ("supplement", "place"), (), ("iets_nieuws",)])
def test_an_update_that_touches_anything_else_is_mailed(changes: tuple[str, ...]) -> None:
    assert is_mailed(updated(changes=changes))


def test_other_events_are_always_mailed() -> None:
    events = (listed(), delisted(), moved_away(), supplement_hidden())
    assert all(is_mailed(event) for event in events)


def test_neither_half_of_a_move_is_mailed() -> None:
    left, arrived = moved()
    assert is_move(left) and is_move(arrived)
    assert not is_mailed(left) and not is_mailed(arrived)


def test_a_new_listing_and_a_delisting_for_a_lapse_or_leaving_the_region_are_no_move() -> None:
    assert not is_move(listed()) and not is_move(moved_away()) and not is_move(delisted())


def test_a_mailed_update_names_the_quiet_changes_that_came_with_it() -> None:
    phrases = describe_changes(("place", "categories", "categories_chosen"), enterprise())
    assert phrases == ("uw vestigingsplaats", "uw categorieën")


def test_hidden_fields_read_in_dutch_in_the_order_of_the_form() -> None:
    assert hidden_field_names(("website", "contact", "description")) == (
        "omschrijving",
        "contactpersoon voor inkopers",
        "website",
    )
    assert len(hidden_field_names(SUPPLEMENT_FIELDS)) == len(SUPPLEMENT_FIELDS)
    assert hidden_field_names(("categories", "keywords", "delivery_areas")) == (
        "categorieën",
        "trefwoorden",
        "levergebied",
    )


def test_sign_in_and_supplement_links_sit_on_the_public_base_url() -> None:
    assert signin_url("https://impact.example/", "a-b_C") == (
        "https://impact.example/aanvullen/inloggen?token=a-b_C"
    )
    assert supplement_url("https://impact.example", "e1") == (
        "https://impact.example/ondernemingen/e1/aanvullen"
    )


def test_an_issued_link_expires_after_thirty_minutes_and_its_id_follows_from_grant_and_hash() -> (
    None
):
    now = datetime(2026, 1, 20, 10, 0, tzinfo=UTC)
    one = link_issued(granted(), "a" * 64, now, "test")
    assert one.expires_at - one.occurred_at == timedelta(minutes=30)
    assert one == link_issued(granted(), "a" * 64, now, "test")
    assert one.event_id != link_issued(granted(), "b" * 64, now, "test").event_id
    assert one.event_id != link_issued(granted(request="other"), "a" * 64, now, "test").event_id


def test_a_sender_or_reply_address_that_is_no_address_is_refused_at_start() -> None:
    from services.kit.settings import ConfigError, load_settings
    from services.notifier.config import NotifierSettings

    for field in ("mail_from", "mail_reply_to"):
        with pytest.raises(ConfigError, match=f"IMPACTOOST_{field.upper()}"):
            load_settings(NotifierSettings, **{field: "Impact Oost"})
    settings = load_settings(NotifierSettings, public_base_url="https://Impactoost.Example/x")
    assert settings.message_domain == "impactoost.example"
