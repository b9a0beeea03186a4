"""Which user replays a dead letter, and how a dead letter is shown without harm."""

from __future__ import annotations

import pytest

from contracts import deadletters as dead
from services.kit.deadletter_admin import (
    NotReplayable,
    StoredLetter,
    publisher_of,
    replay_subject,
)
from services.kit.deadletter_view import body_text, printable

pytestmark = pytest.mark.unit


def test_each_subject_is_replayed_by_the_service_that_publishes_it() -> None:
    assert publisher_of("impact.v1.enterprises.overijssel.twente.listed").name == "registry"
    assert publisher_of("impact.v1.labels.pso.granted").name == "scraper"
    assert publisher_of("impact.v1.preferences.mail").name == "gateway"
    assert publisher_of("impact.v1.signin.link_issued").name == "notifier"
    with pytest.raises(NotReplayable):
        publisher_of("somewhere.else")


def test_replay_restores_the_original_headers_and_id() -> None:
    letter = StoredLetter(
        sequence=7,
        headers={
            "Nats-Msg-Id": "dead-abc",
            dead.ORIGINAL_ID: "evt-1",
            dead.KIND: "exhausted",
            dead.SUBJECT: "impact.v1.labels.pso.granted",
            "X-Trace": "t",
        },
        body=b"{}",
    )
    assert letter.original_headers() == {"Nats-Msg-Id": "evt-1", "X-Trace": "t"}
    assert replay_subject(letter) == "impact.v1.labels.pso.granted"


def test_an_outbox_letter_cannot_be_replayed() -> None:
    letter = StoredLetter(sequence=3, headers={dead.KIND: "unpublishable"}, body=b"too big")
    with pytest.raises(NotReplayable, match="could not publish"):
        replay_subject(letter)


def test_control_and_bidi_characters_are_escaped_and_long_text_shortened() -> None:
    assert printable("a\x1b[31mb\u202ec\nd") == "a\\x1b[31mb\\u202ec\\x0ad"
    assert printable("a\nb", keep_newlines=True) == "a\nb"
    assert printable("Zwolle één", 100) == "Zwolle één"
    assert printable("x" * 10, 5) == "xxxx…"


def test_a_body_is_indented_json_or_escaped_text() -> None:
    assert body_text(b'{"a": "\\u001b\\u0085"}') == '{\n  "a": "\\u001b\\x85"\n}'
    assert body_text(b"\xff\x00plain") == "\\xff\\x00plain"
    assert body_text(b"y" * 50, limit=10).endswith("(shortened: 50 bytes in all)")
