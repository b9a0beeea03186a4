"""SMTP failures split into retry-later and give-up; composed mail has both parts."""

from __future__ import annotations

import smtplib

import pytest

from services.notifier.mailer import (
    MailDeferred,
    MailRejected,
    OutgoingMail,
    classify_smtp_error,
    compose,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError("timed out"),
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
        smtplib.SMTPRecipientsRefused({"a@b.example": (451, b"4.7.1 greylisted, try later")}),
        smtplib.SMTPDataError(452, b"4.3.1 insufficient storage"),
        smtplib.SMTPSenderRefused(553, b"5.7.1 sender not allowed", "noreply@localhost"),
        smtplib.SMTPAuthenticationError(535, b"5.7.8 bad credentials"),
    ],
)
def test_unavailability_and_our_own_misconfiguration_are_retried(error: Exception) -> None:
    assert isinstance(classify_smtp_error(error), MailDeferred)


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPRecipientsRefused({"a@b.example": (550, b"5.1.1 no such user")}),
        smtplib.SMTPDataError(554, b"5.7.1 message refused"),
    ],
)
def test_a_5xx_for_the_recipient_or_the_message_is_final(error: Exception) -> None:
    rejected = classify_smtp_error(error)
    assert isinstance(rejected, MailRejected)
    assert 500 <= rejected.code < 600
    assert rejected.reason.startswith("5.")


def test_composed_mail_is_multipart_alternative_with_text_first() -> None:
    mail = OutgoingMail(
        "a@b.example", "Uw vermelding is gewijzigd", "tekst é", "<p>html é</p>", "<abc@impactoost>"
    )
    message = compose(mail, "Impact Oost <noreply@impactoost.example>")
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["Message-ID"] == "<abc@impactoost>"
    assert message["Auto-Submitted"] == "auto-generated"
