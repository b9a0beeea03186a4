"""Sending mail: the abstract mailer, SMTP (stdlib, blocking: call it in a thread) and a fake.

Failures come out as one of two exceptions, because they need opposite handling:
`MailDeferred` (server down, 4xx: try again later) and `MailRejected` (5xx for this
recipient or message: trying again cannot help).
"""

from __future__ import annotations

import abc
import contextlib
import email.policy
import functools
import select
import smtplib
import ssl
import threading
from dataclasses import dataclass, field
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any


@dataclass(frozen=True)
class OutgoingMail:
    """An addressed mail: both bodies, and the Message-ID that identifies its event."""

    recipient: str
    subject: str
    text: str
    html: str
    """Empty: a plain-text mail (the operator's digest)."""
    message_id: str
    headers: tuple[tuple[str, str], ...] = ()
    """Further headers, such as List-Unsubscribe (RFC 2369, RFC 8058)."""


class MailDeferred(Exception):
    """The mail was not accepted now, but may be later (server unreachable, 4xx)."""


class MailRejected(Exception):
    """The mail was refused for good (5xx for its recipient or content)."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"{code} {reason}")
        self.code = code
        self.reason = reason


class _Headers(HeaderRegistry):
    """The standard header registry, except that it makes each header's class once: the
    standard one makes a new class for every header of every mail, a third of composing."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(key)
        return made


# Lines up to RFC 5322's limit: a List-Unsubscribe URL folded at 78 characters would be
# turned into an encoded word, which no mail program reads as a link.
POLICY = email.policy.default.clone(max_line_length=998, header_factory=_Headers())


@functools.cache
def parsed_header(name: str, value: str) -> Any:
    """A header as the policy parses it, once per value: parsing an address header costs
    more than the rest of a mail's composing, and the sender's is the same in every mail."""
    return POLICY.header_factory(name, value)


def compose(mail: OutgoingMail, sender: str, reply_to: str | None = None) -> EmailMessage:
    """A multipart/alternative message: plain text first, HTML preferred by mail readers;
    replies go to `reply_to` when one is set (a person's address, not the no-reply sender)."""
    message = EmailMessage(policy=POLICY)
    message["From"] = parsed_header("From", sender)
    if reply_to:
        message["Reply-To"] = parsed_header("Reply-To", reply_to)
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = mail.message_id
    message["Auto-Submitted"] = parsed_header("Auto-Submitted", "auto-generated")
    for name, value in mail.headers:
        message[name] = value
    message.set_content(mail.text)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
    message["Content-Language"] = parsed_header("Content-Language", "nl")
    return message


def classify_smtp_error(exc: Exception) -> MailDeferred | MailRejected:
    """Only a 5xx about the recipient or the message itself is final; all else is retried.

    A refused sender, failed login or missing STARTTLS is our configuration, not the
    enterprise's address: those are retried (and logged) until an operator fixes them.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reason = next(iter(exc.recipients.values()), (450, b"refused"))
        if 500 <= code < 600:
            return MailRejected(code, _text(reason))
    elif isinstance(exc, smtplib.SMTPDataError) and 500 <= exc.smtp_code < 600:
        return MailRejected(exc.smtp_code, _text(exc.smtp_error))
    elif isinstance(exc, smtplib.SMTPNotSupportedError):
        # An address outside ASCII to a server without SMTPUTF8: the same every time.
        return MailRejected(553, str(exc))
    return MailDeferred(f"{type(exc).__name__}: {exc}")


def _text(reason: bytes | str) -> str:
    return reason.decode("utf-8", "replace") if isinstance(reason, bytes) else reason


class Mailer(abc.ABC):
    """Sends one mail, blocking; raises MailDeferred or MailRejected when it cannot."""

    @abc.abstractmethod
    def send(self, mail: OutgoingMail) -> None:
        """Hand the mail to the mail system."""

    def close(self) -> None:
        """Let go of any connection kept between mails (the sender's queue is empty)."""
        return None


class SmtpMailer(Mailer):
    """The standard library's SMTP client, with optional STARTTLS and login.

    One SMTP session carries mail after mail (connecting, TLS and login cost more than a
    mail); a session the server closed while idle is noticed before the next mail and
    opened anew, and any failure closes it, so a mail is never retried on a session in an
    unknown state. A lock keeps the sender and the sign-in consumer off each other's mail.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        sender: str,
        reply_to: str | None = None,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 20.0,
    ) -> None:
        self.host, self.port, self.sender, self.reply_to = host, port, sender, reply_to
        self.username, self.password = username, password
        self.starttls, self.timeout = starttls, timeout
        self.sessions = 0
        """SMTP sessions opened so far."""
        self._smtp: smtplib.SMTP | None = None
        self._lock = threading.Lock()

    def send(self, mail: OutgoingMail) -> None:
        """Deliver over the open session (or a new one); any failure is classified, never
        swallowed."""
        message = compose(mail, self.sender, self.reply_to)
        with self._lock:
            try:
                self._session().send_message(message, to_addrs=[mail.recipient])
            except (OSError, smtplib.SMTPException) as exc:
                self._drop()
                raise classify_smtp_error(exc) from exc

    def close(self) -> None:
        """End the open session politely (QUIT), if there is one."""
        with self._lock:
            smtp, self._smtp = self._smtp, None
            if smtp is not None:
                with contextlib.suppress(OSError, smtplib.SMTPException):
                    smtp.quit()
                smtp.close()

    def _session(self) -> smtplib.SMTP:
        if self._smtp is not None and closed_by_server(self._smtp):
            self._drop()
        if self._smtp is None:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            try:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
            except BaseException:
                smtp.close()
                raise
            self._smtp = smtp
            self.sessions += 1
        return self._smtp

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()


def closed_by_server(smtp: smtplib.SMTP) -> bool:
    """Whether an idle session has something to read: the server's goodbye (421) or the end
    of the connection. Between mails a server that is still there says nothing."""
    sock = smtp.sock
    if sock is None:
        return True
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


@dataclass
class FakeMailer(Mailer):
    """Keeps sent mail in a list; `failures` are raised, one per send, before any succeeds."""

    sender: str = "Impact Oost <noreply@localhost>"
    sent: list[EmailMessage] = field(default_factory=list)
    failures: list[Exception] = field(default_factory=list)

    def send(self, mail: OutgoingMail) -> None:
        """Record the composed message, or raise the next queued failure."""
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(compose(mail, self.sender))


def unsubscribe_headers(url: str) -> tuple[tuple[str, str], ...]:
    """RFC 8058: mail programs offer "afmelden" and POST `List-Unsubscribe=One-Click` to
    the link themselves; the link alone is what allows it."""
    return (
        ("List-Unsubscribe", f"<{url}>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    )
