"""The editors' forms: what is typed becomes an item, in Dutch time and in plain text, or a
Dutch message per wrong field; nothing else."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.gateway.editors.domain import (
    AgendaForm,
    NewsForm,
    check_agenda,
    check_news,
    item_id_for,
    text_html,
)

pytestmark = pytest.mark.unit


def agenda(**typed: object) -> AgendaForm:
    fields: dict[str, object] = {"title": "Netwerkborrel", "start_date": "2027-01-14"}
    fields.update(typed)
    return AgendaForm(**fields)  # type: ignore[arg-type]


def test_a_news_item_keeps_its_text_plain_and_escapes_it_into_paragraphs() -> None:
    checked = check_news(
        NewsForm(
            title="  Open   dag <b>nu</b> ",
            text="Kom langs & kijk <script>rond</script>.\nTot dan.\n\n\nGroet",
            link=" https://stadslab.example/open-dag ",
        )
    )
    assert checked.errors == {} and checked.draft is not None
    assert checked.draft.title == "Open dag <b>nu</b>"
    assert checked.draft.html == (
        "<p>Kom langs &amp; kijk &lt;script&gt;rond&lt;/script&gt;.<br>Tot dan.</p><p>Groet</p>"
    )
    assert checked.draft.link == "https://stadslab.example/open-dag"


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (NewsForm(title="", text="Tekst"), "title", "Vul een titel in."),
        (NewsForm(title="Titel", text="  "), "text", "Vul de tekst van het bericht in."),
        (NewsForm(title="Ti\x07tel", text="Tekst"), "title", "De titel bevat tekens"),
        (NewsForm(title="x" * 301, text="Tekst"), "title", "hoogstens 300 tekens"),
        (NewsForm(title="Titel", text="x" * 5001), "text", "hoogstens 5000 tekens"),
        (NewsForm(title="Titel", text='"' * 4900), "text", "te veel leestekens"),
        (
            NewsForm(title="Titel", text="Tekst", link="javascript:alert(1)"),
            "link",
            "Vul een volledig webadres in",
        ),
        (NewsForm(title="Titel", text="Tekst", link="www.voorbeeld.nl"), "link", "https://"),
        (
            NewsForm(title="Titel", text="Tekst", link="https://wie:geheim@voorbeeld.nl/"),
            "link",
            "webadres",
        ),
    ],
)
def test_a_wrong_news_field_gets_its_own_dutch_message(
    form: NewsForm, field: str, message: str
) -> None:
    checked = check_news(form)
    assert checked.draft is None
    assert list(checked.errors) == [field] and message in checked.errors[field]


def test_every_wrong_field_is_named_at_once() -> None:
    checked = check_news(NewsForm(title="", text="", link="ftp://x"))
    assert set(checked.errors) == {"title", "text", "link"}


def test_a_winter_evening_is_one_hour_ahead_of_utc() -> None:
    draft = check_agenda(agenda(start_time="19:30", end_time="21.00")).draft
    assert draft is not None and not draft.all_day
    assert draft.starts_at == datetime(2027, 1, 14, 18, 30, tzinfo=UTC)
    assert draft.ends_at == datetime(2027, 1, 14, 20, 0, tzinfo=UTC)


def test_a_summer_evening_is_two_hours_ahead_of_utc() -> None:
    draft = check_agenda(agenda(start_date="14-7-2027", start_time="19:30")).draft
    assert draft is not None and draft.starts_at == datetime(2027, 7, 14, 17, 30, tzinfo=UTC)
    assert draft.ends_at is None


def test_a_time_the_clock_skips_in_spring_is_refused() -> None:
    checked = check_agenda(agenda(start_date="2027-03-28", start_time="02:30"))
    assert checked.draft is None
    assert "bestaat niet op die dag" in checked.errors["start_time"]


def test_an_event_across_the_spring_change_lasts_its_real_length() -> None:
    draft = check_agenda(
        agenda(start_date="2027-03-28", start_time="01:30", end_time="03:30")
    ).draft
    assert draft is not None and draft.starts_at is not None and draft.ends_at is not None
    assert draft.starts_at == datetime(2027, 3, 28, 0, 30, tzinfo=UTC)
    assert draft.ends_at - draft.starts_at == timedelta(hours=1)  # 01:30 CET to 03:30 CEST


def test_a_time_that_happens_twice_in_autumn_is_its_first_still_summer_time() -> None:
    draft = check_agenda(agenda(start_date="2026-10-25", start_time="02:30")).draft
    assert draft is not None and draft.starts_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_an_evening_ending_after_midnight_on_the_autumn_change_ends_the_next_day() -> None:
    draft = check_agenda(
        agenda(
            start_date="2026-10-24",
            start_time="22:00",
            end_date="2026-10-25",
            end_time="04:00",
        )
    ).draft
    assert draft is not None
    assert draft.starts_at == datetime(2026, 10, 24, 20, 0, tzinfo=UTC)
    assert draft.ends_at == datetime(2026, 10, 25, 3, 0, tzinfo=UTC)


def test_an_all_day_item_carries_dates_and_ignores_times() -> None:
    draft = check_agenda(
        agenda(all_day=True, start_time="10:00", end_date="2027-01-16", location=" Deventer ")
    ).draft
    assert draft is not None and draft.all_day
    assert (draft.starts_on, draft.ends_on) == (date(2027, 1, 14), date(2027, 1, 16))
    assert draft.starts_at is None and draft.ends_at is None
    assert draft.location == "Deventer"


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"start_date": ""}, "start_date", "Vul de datum in."),
        ({"start_date": "31-02-2027", "start_time": "10:00"}, "start_date", "geldige datum"),
        ({"start_date": "morgen", "start_time": "10:00"}, "start_date", "geldige datum"),
        ({"start_date": "1850-01-01", "start_time": "10:00"}, "start_date", "tussen 2000"),
        ({"start_time": ""}, "start_time", "Vul de begintijd in"),
        ({"start_time": "25:00"}, "start_time", "geldige tijd"),
        ({"start_time": "19:30", "end_time": "18:00"}, "end_time", "voor het begin"),
        (
            {"start_time": "19:30", "end_date": "2027-01-15"},
            "end_time",
            "Vul ook een eindtijd in",
        ),
        (
            {"all_day": True, "end_date": "2027-01-13"},
            "end_date",
            "einddatum ligt voor de begindatum",
        ),
        ({"start_time": "10:00", "location": "x" * 301}, "location", "hoogstens 300"),
        ({"start_time": "10:00", "link": "mailto:a@b.nl"}, "link", "volledig webadres"),
    ],
)
def test_a_wrong_agenda_field_gets_its_own_dutch_message(
    typed: dict[str, object], field: str, message: str
) -> None:
    checked = check_agenda(agenda(**typed))
    assert checked.draft is None
    assert field in checked.errors and message in checked.errors[field]


def test_the_same_form_names_the_same_new_item_and_another_form_another() -> None:
    first = item_id_for("stadslab", "a" * 22)
    assert first == item_id_for("stadslab", "a" * 22) and first.startswith("ed-")
    assert first != item_id_for("stadslab", "b" * 22)
    assert first != item_id_for("zwolle", "a" * 22)


def test_empty_text_is_no_html() -> None:
    assert text_html("") == ""
