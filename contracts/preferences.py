"""Whether an enterprise still wants the mails it does not need.

The notifier mails every enterprise about its listing. Some of those mails are essential (a
label that is about to lapse, a listing that was removed) and always go out; the others
(the welcome, "gewijzigd") stop when the enterprise asks. The notifier puts a random token
per enterprise in the link of each non-essential mail; the gateway, which serves the link's
page and the RFC 8058 one-click POST, publishes the choice under that token. The gateway
does not know which enterprise a token belongs to; only the notifier does.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from contracts.base import Event, deterministic_id

TOKEN_PATTERN = r"^[A-Za-z0-9_-]{20,64}$"  # noqa: S105 (a pattern, not a secret)
"""What a preference token looks like (the notifier makes URL-safe base64 of 24 bytes)."""


class MailPreferenceChanged(Event):
    """The holder of a preference link chose to receive (`non_essential` true) or stop
    (false) the mails that are not essential. `via` says how: the page's form, or a mail
    program's one-click unsubscribe (RFC 8058)."""

    kind: Literal["mail_preference_changed"] = "mail_preference_changed"
    token: str = Field(pattern=TOKEN_PATTERN)
    non_essential: bool
    via: Literal["page", "one_click"]


def preference_event_id(token: str, non_essential: bool, at: str) -> str:
    """The id of one choice: the same click, retried, is one message; a later choice (stop,
    start, stop again within JetStream's duplicate window) is another."""
    return deterministic_id(token, "mail_preference", non_essential, at)
