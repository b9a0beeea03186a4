"""What the alerts publish, for the gateway's AsyncAPI document (the pages and the digest
task publish through the sign-in's publisher, not through FastStream publishers)."""

from __future__ import annotations

from faststream.nats import NatsRouter

from contracts.alerts import AlertConfirmationRequested, AlertDigestReady
from contracts.subjects import alert_subject


def document_alerts() -> NatsRouter:
    """A router holding only the alerts' publishers."""
    router = NatsRouter()
    router.publisher(
        alert_subject("confirmation_requested"),
        title="gateway/to_alert_confirmation_requested",
        schema=AlertConfirmationRequested,
        description="Someone asked for an alert: mail the link that confirms it",
    )
    router.publisher(
        alert_subject("digest_ready"),
        title="gateway/to_alert_digest_ready",
        schema=AlertDigestReady,
        description="An alert's period ended with changes: mail them (never for an empty period)",
    )
    return router
