"""The demo sites' gzip negotiation and ETag comparison, as the real registries' hosts do it."""

from __future__ import annotations

import gzip

import pytest

from services.demo.sites.compression import GZIP_MIN_LENGTH, accepts_gzip, negotiate
from services.demo.sites.server import none_match

pytestmark = pytest.mark.unit
HTML = "text/html; charset=utf-8"


@pytest.mark.parametrize(
    ("accept_encoding", "accepted"),
    [
        ("gzip, deflate", True),  # httpx's default
        ("gzip, deflate, br, zstd", True),  # a browser's
        ("GZIP;Q=0.5", True),
        ("x-gzip", True),
        ("*", True),
        ("br;q=1, *;q=0.1", True),
        ("gzip;q=0", False),
        ("gzip;q=0.000, *", False),  # gzip named and refused: `*` does not bring it back
        ("*;q=0", False),
        ("identity", False),
        ("identity;q=0", False),  # refusing identity does not make gzip acceptable
        ("deflate, br", False),
        ("gzip;q=2", False),  # malformed weight: not an acceptance
        ("", False),
        (None, False),  # no header: nginx sends identity
    ],
)
def test_gzip_is_accepted_only_as_accept_encoding_weighs_it(
    accept_encoding: str | None, accepted: bool
) -> None:
    assert accepts_gzip(accept_encoding) is accepted


def test_a_text_answer_from_the_minimum_length_is_gzipped_with_a_weak_etag() -> None:
    coding = negotiate("gzip", 200, HTML, GZIP_MIN_LENGTH)
    body = b"<p>" + b"x" * GZIP_MIN_LENGTH

    assert coding.gzip and coding.varies
    assert gzip.decompress(coding.encode(body)) == body
    assert coding.headers() == {"Vary": "Accept-Encoding", "Content-Encoding": "gzip"}
    assert coding.headers(with_body=False) == {"Vary": "Accept-Encoding"}
    assert coding.etag('"abc"') == 'W/"abc"'


def test_an_identity_answer_still_varies_and_keeps_its_strong_etag() -> None:
    coding = negotiate("identity", 200, "application/json; charset=UTF-8", 10_000)

    assert coding.varies and not coding.gzip
    assert coding.encode(b"{}") == b"{}"
    assert coding.headers() == {"Vary": "Accept-Encoding"}
    assert coding.etag('"abc"') == '"abc"'


@pytest.mark.parametrize(
    ("status", "content_type", "size"),
    [
        (200, HTML, GZIP_MIN_LENGTH - 1),  # too small to gain
        (200, "image/png", 10_000),  # already compressed
        (200, None, 10_000),
        (503, "text/plain", 10_000),  # nginx gzips 200, 403 and 404 only
    ],
)
def test_small_binary_and_error_answers_go_out_as_they_are(
    status: int, content_type: str | None, size: int
) -> None:
    coding = negotiate("gzip", status, content_type, size)

    assert not coding.gzip and not coding.varies and coding.headers() == {}


@pytest.mark.parametrize(
    ("if_none_match", "matches"),
    [
        ('W/"abc"', True),
        ('"abc"', True),
        ('"zzz", W/"abc"', True),
        ('"a,b", "abc"', True),  # a comma inside an entity tag does not split it
        ("*", True),
        ('"abcd"', False),
        ('W/"ab"', False),
        ("abc", False),  # not an entity tag
    ],
)
def test_if_none_match_compares_entity_tags_weakly(if_none_match: str, matches: bool) -> None:
    assert none_match(if_none_match, 'W/"abc"') is matches
    assert none_match(if_none_match, '"abc"') is matches
