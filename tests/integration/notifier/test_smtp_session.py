"""Mails follow each other over one SMTP session with a real server; a session the server
ended is noticed and opened anew, and a closed one is opened for the next mail."""

from __future__ import annotations

import socket
import time

import pytest

from services.notifier.mailer import OutgoingMail, SmtpMailer
from tests.fixtures.servers import SmtpSink

pytestmark = pytest.mark.integration


def mail(n: int) -> OutgoingMail:
    return OutgoingMail(
        f"info{n}@onderneming{n}.example", f"Welkom {n}", "tekst é", "<p>html é</p>", f"<m{n}@x>"
    )


def wait_for_messages(sink: SmtpSink, count: int) -> list[str]:
    deadline = time.monotonic() + 10
    while len(sink.messages()) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return sorted(str(m["Message-ID"]) for m in sink.messages())


def test_mails_share_one_session_and_a_closed_one_is_opened_anew(smtp_sink: SmtpSink) -> None:
    mailer = SmtpMailer(smtp_sink.host, smtp_sink.port, sender="noreply@impactoost.example")
    try:
        mailer.send(mail(1))
        mailer.send(mail(2))
        assert mailer.sessions == 1
        mailer.close()
        mailer.send(mail(3))
        assert mailer.sessions == 2
    finally:
        mailer.close()
    assert wait_for_messages(smtp_sink, 3) == ["<m1@x>", "<m2@x>", "<m3@x>"]


def test_a_session_the_server_ended_is_opened_anew_before_the_next_mail(
    smtp_sink: SmtpSink,
) -> None:
    mailer = SmtpMailer(smtp_sink.host, smtp_sink.port, sender="noreply@impactoost.example")
    try:
        mailer.send(mail(1))
        session = mailer._smtp
        assert session is not None
        session.putcmd("QUIT")  # the server answers 221 and ends the session, as at a time-out
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            time.sleep(0.05)
            if session.sock is not None and session.sock.recv(1, socket.MSG_PEEK):
                break
        mailer.send(mail(2))
        assert mailer.sessions == 2
    finally:
        mailer.close()
    assert wait_for_messages(smtp_sink, 2) == ["<m1@x>", "<m2@x>"]
