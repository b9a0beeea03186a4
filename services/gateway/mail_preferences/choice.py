"""The use case: publish an enterprise's choice about its non-essential mails.

The gateway does not know whose token it is (only the notifier does): it checks only that the
token looks like one, publishes the choice, and the notifier records it or ignores an
unknown token. The gateway keeps nothing.
"""

from __future__ import annotations

import re
from typing import Literal

import structlog

from contracts.preferences import TOKEN_PATTERN, MailPreferenceChanged, preference_event_id
from contracts.subjects import PREFERENCES_STREAM, preference_subject
from services.gateway.signin.bootstrap import SignIn

log = structlog.get_logger()
_TOKEN = re.compile(TOKEN_PATTERN)


def is_token(text: str) -> bool:
    """Whether `text` has the length and characters of a preference token."""
    return bool(_TOKEN.match(text))


async def publish_choice(
    signin: SignIn, token: str, *, non_essential: bool, via: Literal["page", "one_click"]
) -> MailPreferenceChanged:
    """Publish that the holder of `token` does (or does not) want non-essential mails;
    raises PublishUnavailable when the stream does not confirm it."""
    now = signin.now()
    event = MailPreferenceChanged(
        event_id=preference_event_id(token, non_essential, now.isoformat()),
        occurred_at=now,
        source=signin.settings.source,
        token=token,
        non_essential=non_essential,
        via=via,
    )
    await signin.publisher.publish(preference_subject("mail"), event, PREFERENCES_STREAM)
    log.info("mail_preference_published", non_essential=non_essential, via=via)
    return event
