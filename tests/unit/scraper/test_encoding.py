"""Pages whose declared charset lies are still read correctly, with a warning."""

from __future__ import annotations

import httpx
import pytest

from services.scraper.encoding import decode_page
from tests.unit.scraper.fakes import BASE, FakeWeb, polite_client

pytestmark = pytest.mark.unit

NAME = "Coöperatie Zorgboerderij De Eikenhof – Hengelo (O)"


def test_utf8_declared_as_utf8_is_read_without_warning() -> None:
    assert decode_page(NAME.encode(), "text/html; charset=utf-8") == (NAME, None)


def test_windows_1252_declared_as_utf8_is_read_as_windows_1252() -> None:
    text, warning = decode_page(NAME.encode("cp1252"), "text/html; charset=UTF-8")
    assert text == NAME
    assert warning is not None and "Windows-1252" in warning


def test_utf8_declared_as_latin1_is_read_as_utf8() -> None:
    text, warning = decode_page(NAME.encode(), "text/html; charset=ISO-8859-1")
    assert text == NAME
    assert warning is not None and "UTF-8" in warning


def test_a_latin1_page_that_says_so_is_read_as_latin1() -> None:
    body = "Coöperatie Zuid".encode("latin-1")
    assert decode_page(body, "text/html; charset=iso-8859-1") == ("Coöperatie Zuid", None)


def test_a_meta_charset_counts_when_the_header_says_nothing() -> None:
    body = b'<meta charset="windows-1252"><p>' + "Coöperatie".encode("cp1252")
    assert decode_page(body, "text/html") == ('<meta charset="windows-1252"><p>Coöperatie', None)


def test_an_unknown_charset_name_is_ignored() -> None:
    assert decode_page(NAME.encode(), "text/html; charset=klingon") == (NAME, None)


async def test_the_client_reads_a_mislabelled_page_and_reports_it() -> None:
    url = f"{BASE}/leden/"
    web = FakeWeb().serve(
        url,
        httpx.Response(
            200, content=NAME.encode("cp1252"), headers={"content-type": "text/html; charset=utf-8"}
        ),
    )
    client = polite_client(web)
    assert (await client.get(url)).text == NAME
    assert len(client.warnings) == 1 and url in client.warnings[0]
