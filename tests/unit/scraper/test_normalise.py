"""Normalising untrusted registry text into observation fields."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.labels import KVK_PER_HOLDING_MAX
from services.scraper.normalise import (
    clean_summary,
    clean_text,
    normalise_website,
    parse_dutch_date,
    parse_month_end,
    split_kvk,
    token,
    truncate_words,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Kringloop   Twente\n B.V.", "Kringloop Twente B.V."),
        ("Helder &amp; Co", "Helder & Co"),
        ("Caf&eacute; &#39;t Hoekje", "Café 't Hoekje"),
        ("Houtwerk<script>alert('x')</script>plaats Goor", "Houtwerk plaats Goor"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;Bakkerij", "Bakkerij"),
        ("Drukkerij <b>Het</b> Gilde", "Drukkerij Het Gilde"),
        ("Kring<em>loop</em>", "Kringloop"),
        ("Naam<div>Tweede regel</div>", "Naam Tweede regel"),
        ("IJssel\u200bwerk \u202ekcab\u202c", "IJsselwerk kcab"),
        ("Soft\u00adhyphen\x00\x07", "Softhyphen"),
        ("Eerst <!-- verborgen --> dan", "Eerst dan"),
        ("Onafgesloten <script src=x>", "Onafgesloten"),
        ("a < b en c > d", "a < b en c > d"),
    ],
)
def test_clean_text_decodes_strips_and_collapses(raw: str, expected: str) -> None:
    assert clean_text(raw, 200) == expected


@pytest.mark.parametrize("raw", [None, "", "   \n\t", "<script>alert(1)</script>", "<b></b>"])
def test_clean_text_gives_none_when_nothing_readable_is_left(raw: str | None) -> None:
    assert clean_text(raw, 200) is None


def test_clean_text_caps_length_and_marks_the_cut() -> None:
    text = clean_text("Stichting " + "heel lange naam " * 100, 50)
    assert text is not None
    assert len(text) == 50
    assert text.endswith("…")
    assert text.startswith("Stichting heel lange naam")


def test_clean_text_decodes_entities_once_only() -> None:
    assert clean_text("R&amp;amp;D", 50) == "R&amp;D"


def test_split_kvk_reads_several_numbers_and_reports_the_rejected_ones() -> None:
    result = split_kvk("0912 5566; 0912 5567, 12345 / 09125566,")
    assert result.valid == ("09125566", "09125567")
    assert result.rejected == ("12345",)


def test_split_kvk_of_an_empty_field_is_empty() -> None:
    assert split_kvk(None) == ((), ())
    assert split_kvk("  ") == ((), ())


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://www.degroenefietser.nl", "https://degroenefietser.nl/"),
        ("http://WWW.Example.NL/over-ons?x=1#top", "https://example.nl/"),
        ("www.tunga.io", "https://tunga.io/"),
        ("tunga.io/", "https://tunga.io/"),
        ("//cdn.example.org/pad", "https://cdn.example.org/"),
        ("https://user:pw@shop.example.nl:8443/", "https://shop.example.nl/"),
        ("https://wwwonderland.nl/", "https://wwwonderland.nl/"),
        ("https://bücher.example/", "https://xn--bcher-kva.example/"),
    ],
)
def test_websites_become_https_host_root(raw: str, expected: str) -> None:
    assert normalise_website(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "mailto:info@example.nl",
        "javascript:alert(1)",
        "geen website",
        "https://",
        "localhost",
        "https://exa mple.nl",
        "ftp://files.example.nl/",
        "http://[::1",
    ],
)
def test_non_websites_are_refused(raw: str | None) -> None:
    assert normalise_website(raw) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12-03-2024", date(2024, 3, 12)),
        ("1-3-2024", date(2024, 3, 1)),
        ("12/03/2024", date(2024, 3, 12)),
        (" 12-03-2024 ", date(2024, 3, 12)),
        ("14 juni 2022", date(2022, 6, 14)),
        ("1 Maart 2025", date(2025, 3, 1)),
    ],
)
def test_dutch_dates_are_read(raw: str, expected: date) -> None:
    assert parse_dutch_date(raw) == expected


@pytest.mark.parametrize("raw", ["31-02-2024", "2024-03-12", "12 foo 2024", "morgen", "12-13-2024"])
def test_unreadable_dates_raise(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_dutch_date(raw)


def test_an_empty_date_is_none() -> None:
    assert parse_dutch_date("  ") is None
    assert parse_dutch_date(None) is None


def test_month_and_year_mean_the_last_day_of_that_month() -> None:
    assert parse_month_end("juni 2026") == date(2026, 6, 30)
    assert parse_month_end("Februari 2028") == date(2028, 2, 29)
    assert parse_month_end("") is None
    with pytest.raises(ValueError):
        parse_month_end("zomer 2026")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Trede 3", "trede-3"),
        ("Basistrede", "basistrede"),
        ("BOOST-lid", "boost-lid"),
        ("Sociaal ontwikkelbedrijf", "sociaal-ontwikkelbedrijf"),
        ("  ", None),
        (None, None),
    ],
)
def test_levels_become_keywords(raw: str | None, expected: str | None) -> None:
    assert token(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<p>Fietsen  en\n<b>leer</b>werkplaats.</p>", "Fietsen en leerwerkplaats."),
        ("<p>Eerst</p><p>Dan</p>", "Eerst Dan"),
        ("Koffie<script>steal()</script> &amp; thee<style>p{}</style>", "Koffie & thee"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;Soep", "Soep"),
        ("<p>   </p><!-- niets -->", None),
        (None, None),
    ],
)
def test_a_summary_is_plain_text_without_markup(raw: str | None, expected: str | None) -> None:
    assert clean_summary(raw) == expected


def test_a_long_summary_is_cut_between_words() -> None:
    assert truncate_words("een twee drie vier", 12) == "een twee…"
    assert truncate_words("kort", 12) == "kort"
    assert truncate_words("a" * 30, 10) == "a" * 9 + "…"
    assert clean_summary("<p>" + "woord " * 500 + "</p>", 2000) == ("woord " * 333).strip() + "…"


def test_kvk_numbers_beyond_the_contracts_limit_are_rejected_not_published() -> None:
    field = ", ".join(f"{10_000_000 + n}" for n in range(KVK_PER_HOLDING_MAX + 3))
    numbers = split_kvk(field)
    assert len(numbers.valid) == KVK_PER_HOLDING_MAX
    assert numbers.valid[0] == "10000000"
    assert len(numbers.rejected) == 3
    assert all(f"more than {KVK_PER_HOLDING_MAX}" in r for r in numbers.rejected)
