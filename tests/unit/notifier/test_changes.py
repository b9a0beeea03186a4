"""A change mail says what changed from what to what: pure comparison of two states."""

from __future__ import annotations

from datetime import date

import pytest

from services.notifier.changes import change_lines, diff_states
from tests.unit.notifier.factories import enterprise, in_grace, pso_holding

pytestmark = pytest.mark.unit

SENL = pso_holding(label="senl", holding_id="senl-9", level="boost", valid_until=None)


def lines(before: object, after: object) -> list[str]:
    return [change.line() for change in diff_states(before, after)]  # type: ignore[arg-type]


def test_a_renewed_certificate_shows_its_level_and_end_date_from_and_to() -> None:
    renewed = pso_holding(
        holding_id="PSO-2026-0999", level="trede-2", valid_until=date(2029, 3, 31)
    )
    after = enterprise(version=2, labels=(renewed,))
    assert lines(enterprise(), after) == [
        "Niveau: Trede 3 → Trede 2",
        "Geldig tot en met: 12 maart 2026 → 31 maart 2029",
    ]


def test_with_several_labels_each_change_names_its_label() -> None:
    before = enterprise(labels=(pso_holding(), SENL))
    after = enterprise(version=2, labels=(pso_holding(valid_from=date(2025, 1, 1)), SENL))
    assert lines(before, after) == ["Geldig vanaf (PSO): 12 maart 2024 → 1 januari 2025"]


def test_labels_that_come_or_stop_counting_are_named() -> None:
    before = enterprise(labels=(pso_holding(),))
    after = enterprise(version=2, labels=(pso_holding(counts=False, status="verlopen"), SENL))
    assert lines(before, after) == [
        "Label erbij: Social Enterprise NL",
        "Label telt niet meer mee: PSO (Prestatieladder Socialer Ondernemen)",
    ]


def test_name_place_website_and_kvk_show_from_and_to_with_geen_for_nothing() -> None:
    after = enterprise(
        version=2,
        name="Kringloop Twente",
        place="Hengelo",
        website=None,
        kvk=("06123456", "07123456"),
    )
    assert lines(enterprise(), after) == [
        "Naam: Kringloop Twente B.V. → Kringloop Twente",
        "Vestigingsplaats: Enschede → Hengelo",
        "Website: https://kringlooptwente.nl/ → geen",
        "KvK-nummer(s): 06123456 → 06123456, 07123456",
    ]


def test_nothing_visible_changed_means_no_mail_unless_something_undiffed_changed() -> None:
    same = enterprise(version=2)
    assert change_lines(("labels", "place"), enterprise(), same) is None
    assert change_lines(("supplement",), enterprise(), same) is None
    assert change_lines(("themes",), enterprise(), same) == ("uw thema's",)


def test_without_an_earlier_state_the_change_keys_are_named_in_words() -> None:
    assert change_lines(("valid_until",), None, enterprise()) == ("de geldigheid van uw label",)


def test_a_grace_period_that_starts_is_told_in_words_beside_the_status() -> None:
    found = change_lines(("grace_until", "status"), enterprise(), in_grace())
    assert found is not None
    assert "Status: gecertificeerd → verlopen" in found
    assert any("hercertificering loopt" in line and "11 april 2026" in line for line in found)
