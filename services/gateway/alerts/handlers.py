"""The alerts' use cases from the pages: ask for one, confirm it, change it, stop it."""

from __future__ import annotations

import asyncio
import uuid
from typing import Literal

import structlog

from contracts.alerts import AlertConfirmationRequested, AlertFilters, Frequency
from contracts.base import deterministic_id
from contracts.subjects import ALERTS_STREAM, alert_subject
from services.gateway.alerts.bootstrap import Alerts
from services.gateway.alerts.links import (
    CONFIRM_PATH,
    MANAGE_PATH,
    UNSUBSCRIBE_PATH,
    alert_token,
    stored_hash,
)
from services.gateway.alerts.store import (
    Alert,
    add_alert,
    change_alert,
    confirm_alert,
    delete_alert,
    find_alert,
)
from services.gateway.signin.publishing import PublishUnavailable

log = structlog.get_logger()


async def request_alert(
    alerts: Alerts, email: str, frequency: Frequency, filters: AlertFilters, client: str
) -> Literal["requested", "limited"]:
    """Store a new unconfirmed alert and publish its confirmation mail, unless a rate limit
    holds it back. Every request is a new alert, whatever the address already has, so the
    answer never tells whether it has any."""
    if not alerts.limits.admit(email.casefold(), client, alerts.monotonic()):
        log.warning("alert_request_limited")
        return "limited"
    now = alerts.now()
    alert = Alert(uuid.uuid4().hex, email, frequency, filters, now, None, None, None)
    confirm = alert_token(alerts.secret, alert.alert_id, "confirm")
    manage = alert_token(alerts.secret, alert.alert_id, "manage")
    await asyncio.to_thread(add_alert, alerts.engine, alert, _hash(confirm), _hash(manage))
    links = alerts.links
    event = AlertConfirmationRequested(
        event_id=deterministic_id("alert-confirmation", alert.alert_id),
        occurred_at=now,
        source=alerts.settings.source,
        alert_id=alert.alert_id,
        email=email,
        frequency=frequency,
        filters=filters,
        confirm_url=links.with_token(CONFIRM_PATH, confirm),
        manage_url=links.with_token(MANAGE_PATH, manage),
        unsubscribe_url=links.with_token(UNSUBSCRIBE_PATH, manage),
        expires_at=now + alerts.confirm_within,
    )
    try:
        await alerts.publisher.publish(
            alert_subject("confirmation_requested"), event, ALERTS_STREAM
        )
    except PublishUnavailable:
        # No mail will come: keep no address for it.
        await asyncio.to_thread(delete_alert, alerts.engine, alert.alert_id)
        raise
    log.info("alert_requested", alert_id=alert.alert_id, event_id=event.event_id)
    return "requested"


async def pending_alert(alerts: Alerts, token: str) -> Alert | None:
    """The alert a confirmation link names, while it can still be confirmed."""
    digest = stored_hash(token)
    if digest is None:
        return None
    alert = await asyncio.to_thread(find_alert, alerts.engine, confirm_hash=digest)
    if alert is None or alert.confirmed_at is not None:
        return alert
    return alert if alerts.now() < alert.created_at + alerts.confirm_within else None


async def confirm(alerts: Alerts, alert: Alert) -> None:
    """Confirm the alert (again: no change); its first period starts now."""
    if alert.confirmed_at is None:
        await asyncio.to_thread(confirm_alert, alerts.engine, alert.alert_id, alerts.now())
        log.info("alert_confirmed", alert_id=alert.alert_id)


async def managed_alert(alerts: Alerts, token: str) -> Alert | None:
    """The alert a manage (or unsubscribe) link names."""
    digest = stored_hash(token)
    if digest is None:
        return None
    return await asyncio.to_thread(find_alert, alerts.engine, manage_hash=digest)


async def change(alerts: Alerts, alert: Alert, frequency: Frequency, filters: AlertFilters) -> None:
    """Save the alert's new search and frequency."""
    await asyncio.to_thread(change_alert, alerts.engine, alert.alert_id, frequency, filters)
    log.info("alert_changed", alert_id=alert.alert_id, frequency=frequency)


async def stop(alerts: Alerts, token: str) -> bool:
    """Stop and forget the alert a manage link names, address and all; False when there was
    none (already stopped, or never confirmed in time)."""
    alert = await managed_alert(alerts, token)
    if alert is None:
        return False
    stopped = await asyncio.to_thread(delete_alert, alerts.engine, alert.alert_id)
    log.info("alert_stopped", alert_id=alert.alert_id)
    return stopped


def _hash(token: str) -> str:
    digest = stored_hash(token)
    assert digest is not None
    return digest
