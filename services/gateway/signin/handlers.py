"""The sign-in's use cases: ask for a link, and submit a supplement. Both only publish: the
registry decides who is trusted and what is stored."""

from __future__ import annotations

import uuid
from typing import Literal

import structlog

from contracts.base import deterministic_id
from contracts.signin import SignInRequested
from contracts.subjects import (
    SIGNINS_STREAM,
    SUPPLEMENTS_STREAM,
    signin_subject,
    supplement_subject,
)
from contracts.supplements import Supplement, SupplementSubmitted
from services.gateway.signin.bootstrap import SignIn
from services.gateway.signin.sessions import SignedIn

log = structlog.get_logger()
REQUEST_BUCKET_SECONDS = 600


async def request_sign_in(
    signin: SignIn, enterprise_id: str, email: str, client: str
) -> Literal["requested", "limited"]:
    """Publish a sign-in request unless a rate limit holds it back.

    Its id is the same for the same enterprise and address within ten minutes: a double
    click or a reload reaches the registry once (JetStream's window and the registry's
    processed events drop the repeat), so it never mails two links; a later request is new.
    """
    if not signin.limits.admit(email.casefold(), client, signin.monotonic()):
        log.warning("signin_request_limited", enterprise_id=enterprise_id)
        return "limited"
    now = signin.now()
    bucket = int(now.timestamp()) // REQUEST_BUCKET_SECONDS
    event = SignInRequested(
        event_id=deterministic_id("signin-requested", enterprise_id, email.casefold(), bucket),
        occurred_at=now,
        source=signin.settings.source,
        enterprise_id=enterprise_id,
        email=email,
    )
    await signin.publisher.publish(signin_subject("requested"), event, SIGNINS_STREAM)
    log.info("signin_requested", enterprise_id=enterprise_id, event_id=event.event_id)
    return "requested"


async def submit_supplement(
    signin: SignIn, signed_in: SignedIn, supplement: Supplement
) -> SupplementSubmitted:
    """Publish the supplement as submitted by the signed-in address.

    Each submission is a fact of its own (a random id): submitting A, then B, then A again
    must end at A, which a content-derived id would drop as a duplicate.
    """
    event = SupplementSubmitted(
        event_id=uuid.uuid4().hex,
        occurred_at=signin.now(),
        source=signin.settings.source,
        enterprise_id=signed_in.enterprise_id,
        submitted_by=signed_in.email,
        supplement=supplement,
    )
    await signin.publisher.publish(supplement_subject(), event, SUPPLEMENTS_STREAM)
    log.info("supplement_submitted", enterprise_id=signed_in.enterprise_id, event_id=event.event_id)
    return event
