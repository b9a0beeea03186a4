"""What the operator's digest says, and how a dead letter is read for it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts import deadletters as dead
from services.notifier.mailer import compose
from services.notifier.operator_digest import LINES_IN_MAIL, SeenLetter, digest_mail
from services.notifier.operator_watch import seen_letter

pytestmark = pytest.mark.unit

WHEN = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def letter(n: int) -> SeenLetter:
    return SeenLetter(
        f"dead-{n}", n, "gateway", "gateway-scrapes", "invalid", "s", f"e{n}", "r", WHEN
    )


def test_a_long_digest_names_the_first_lines_and_counts_the_rest() -> None:
    letters = [letter(n) for n in range(1, LINES_IN_MAIL + 6)]

    mail = digest_mail(letters, recipient="beheer@x.example", platform="Impact Oost", domain="x")

    assert mail.subject == f"Impact Oost: {LINES_IN_MAIL + 5} onverwerkbare berichten"
    assert f"gateway/gateway-scrapes  invalid  {LINES_IN_MAIL + 5}" in mail.text
    assert "  ... en nog 5 meer" in mail.text
    assert f"e{LINES_IN_MAIL}" in mail.text and f"e{LINES_IN_MAIL + 1} " not in mail.text


def test_the_same_letters_give_the_same_message_id_and_a_plain_text_mail() -> None:
    first = digest_mail([letter(1), letter(2)], recipient="b@x.example", platform="P", domain="x")
    again = digest_mail([letter(2), letter(1)], recipient="b@x.example", platform="P", domain="x")

    assert first.message_id == again.message_id
    assert not compose(first, "P <noreply@x.example>").is_multipart()


def test_a_letter_missing_its_headers_is_still_counted_from_its_subject() -> None:
    found = seen_letter({}, "impactoost.deadletters.registry.outbox", 12, WHEN)

    assert (found.service, found.consumer, found.sequence, found.dead_at) == (
        "registry", "outbox", 12, WHEN,
    )  # fmt: skip
    assert found.letter_id


def test_a_letter_is_read_from_its_headers() -> None:
    headers = {
        "Nats-Msg-Id": "dead-abc",
        dead.SERVICE: "notifier",
        dead.CONSUMER: "notifier-mail",
        dead.KIND: "exhausted",
        dead.SUBJECT: "impact.v1.enterprises.overijssel.twente.listed",
        dead.ORIGINAL_ID: "evt-1",
        dead.REASON: "OverflowError: date value out of range",
        dead.DEAD_AT: "2026-12-07T08:00:00+00:00",
    }

    found = seen_letter(headers, "impactoost.deadletters.notifier.notifier-mail", 3, WHEN)

    assert found.letter_id == "dead-abc" and found.kind == "exhausted"
    assert found.event_id == "evt-1" and found.dead_at == datetime(2026, 12, 7, 8, tzinfo=UTC)
