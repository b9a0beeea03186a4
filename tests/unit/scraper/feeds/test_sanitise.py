"""Hostile feed HTML keeps only the allow-list; titles become plain text; lengths are capped
at a boundary that leaves valid markup."""

from __future__ import annotations

import re

import pytest

from contracts.hotspots import HTML_MAX, TITLE_MAX
from services.scraper.feeds.sanitise import (
    checked_link,
    plain_title,
    sanitise_html,
    text_as_html,
)

pytestmark = pytest.mark.unit
BASE = "https://impactzwolle.test/feed/"


def test_script_and_style_go_with_their_contents() -> None:
    cleaned = sanitise_html(
        "<p>Hallo<script>steal(document.cookie)</script><style>p{display:none}</style></p>", BASE
    )
    assert cleaned == "<p>Hallo</p>"


def test_event_handlers_images_iframes_and_unknown_tags_are_stripped() -> None:
    cleaned = sanitise_html(
        '<p onclick="x()" style="color:red">Tekst <img src="https://t.test/p.gif" '
        'onerror="x()"><iframe src="https://evil.test/"></iframe><b>vet</b> '
        '<span class="x">kop</span></p>',
        BASE,
    )
    assert cleaned == "<p>Tekst vet kop</p>"


@pytest.mark.parametrize("tag", ["p", "strong", "em", "ul", "ol", "li", "blockquote"])
def test_the_allowed_tags_stay(tag: str) -> None:
    assert sanitise_html(f"<{tag}>x</{tag}>", BASE) == f"<{tag}>x</{tag}>"


def test_links_are_made_absolute_and_marked_nofollow_noopener() -> None:
    cleaned = sanitise_html('<a href="/nieuws/1" target="_blank" rel="me">lees</a>', BASE)
    assert cleaned == (
        '<a href="https://impactzwolle.test/nieuws/1" rel="nofollow noopener">lees</a>'
    )


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:x",
        "https://user:pw@impactzwolle.test/",
        "mailto:info@impactzwolle.test",
    ],
)
def test_a_link_that_is_no_plain_web_address_loses_its_address_but_keeps_its_text(
    href: str,
) -> None:
    cleaned = sanitise_html(f'<p><a href="{href}">klik</a></p>', BASE)
    assert "href" not in cleaned
    assert "klik" in cleaned


def test_long_html_is_cut_between_words_to_valid_markup_within_the_cap() -> None:
    long = "<p>" + "woord &amp; <em>nadruk</em> " * 5000 + "</p>"
    cleaned = sanitise_html(long, BASE)
    assert HTML_MAX - 200 < len(cleaned) <= HTML_MAX
    assert cleaned.endswith("\u2026</p>")
    assert cleaned.count("<em>") == cleaned.count("</em>")
    assert not re.search(r"&[a-z]*\u2026", cleaned)  # no entity cut in half


def test_a_title_is_plain_text_with_entities_decoded() -> None:
    title = plain_title("Ondernemers &amp;\n  gemeente <em>tekenen</em>\u00ad <script>x()</script>")
    assert title == "Ondernemers & gemeente tekenen"


def test_a_title_without_readable_text_is_empty_and_a_long_one_is_shortened() -> None:
    assert plain_title("<script>alert(1)</script>") == ""
    long = plain_title("woord " * 200)
    assert len(long) <= TITLE_MAX
    assert long.endswith("\u2026")


def test_plain_text_becomes_escaped_paragraphs() -> None:
    assert text_as_html("a <b>\nregel\n\nalinea") == "<p>a &lt;b&gt;<br>regel</p><p>alinea</p>"


def test_links_are_checked_after_being_resolved_against_the_feed() -> None:
    assert checked_link("../x", BASE) == "https://impactzwolle.test/x"
    assert checked_link("javascript:alert(1)", BASE) is None
    assert checked_link("https://ex ample.test/", BASE) is None
