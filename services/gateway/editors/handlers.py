"""The editors' use cases that leave the gateway: asking for a sign-in link. The gateway
decides (the operator's file names the editors); the notifier mails."""

from __future__ import annotations

from typing import Literal

import structlog

from contracts.base import deterministic_id
from contracts.hotspots import Hotspot
from contracts.signin import EditorSignInGranted
from contracts.subjects import SIGNINS_STREAM, signin_subject
from services.gateway.editors.bootstrap import Editors
from services.gateway.signin.handlers import REQUEST_BUCKET_SECONDS

log = structlog.get_logger()


async def request_editor_link(
    editors: Editors, hotspot: Hotspot, email: str, client: str
) -> Literal["granted", "not_an_editor", "limited"]:
    """Grant a link when `email` is one of the hotspot's editors (the notifier mails it);
    nothing leaves for another address. The visitor is told the same either way.

    Rate limits count every request, known address or not, as for enterprises. The grant's
    id is the same for the same hotspot and address within ten minutes, so a double click
    mails one link.
    """
    signin = editors.signin
    if not signin.limits.admit(email.casefold(), client, signin.monotonic()):
        log.warning("editor_signin_limited", hotspot=hotspot.slug)
        return "limited"
    address = editors.editor_address(hotspot.slug, email)
    if address is None:
        log.info("editor_signin_not_granted", hotspot=hotspot.slug)
        return "not_an_editor"
    now = signin.now()
    bucket = int(now.timestamp()) // REQUEST_BUCKET_SECONDS
    event = EditorSignInGranted(
        event_id=deterministic_id("editor-granted", hotspot.slug, email.casefold(), bucket),
        occurred_at=now,
        source=signin.settings.source,
        hotspot=hotspot.slug,
        hotspot_name=hotspot.name,
        email=address,
    )
    await signin.publisher.publish(signin_subject("editor_granted"), event, SIGNINS_STREAM)
    log.info("editor_signin_granted", hotspot=hotspot.slug, event_id=event.event_id)
    return "granted"
