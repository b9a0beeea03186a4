"""The periodic task: for every confirmed alert whose period ended, publish the changes it
held (nothing for an empty period), then record the period as done.

Delivery: the period's end is stored before publishing and its digest id derives from the
alert and that end, so a crash or a failed publish retries the very same period under the
same id; the publish awaits JetStream's ack before the period is recorded as done. JetStream's
duplicate window and the notifier's deliveries (one row per event id) then mail it once:
publish-then-record with a deterministic id plus an idempotent consumer.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import structlog

from contracts.alerts import AlertDigestReady, AlertEntry
from contracts.base import deterministic_id
from contracts.subjects import ALERTS_STREAM, alert_subject
from services.gateway.alerts.bootstrap import Alerts
from services.gateway.alerts.links import MANAGE_PATH, UNSUBSCRIBE_PATH, alert_token
from services.gateway.alerts.matching import ListingChange, period_entries
from services.gateway.alerts.schedule import due_end
from services.gateway.alerts.store import (
    Alert,
    confirmed_alerts,
    finish_period,
    listing_changes,
    purge_unconfirmed,
    start_period,
)

log = structlog.get_logger()


async def keep_sending(alerts: Alerts) -> None:
    """Purge and send due digests now and then every `gateway_alert_check_seconds`, until
    cancelled."""
    while True:
        try:
            await purge(alerts)
            await send_due_digests(alerts)
        except Exception as exc:  # a busy database or NATS away: the next round retries
            log.warning("alert_digests_failed", error=f"{type(exc).__name__}: {exc}")
        await asyncio.sleep(alerts.settings.gateway_alert_check_seconds)


async def purge(alerts: Alerts) -> int:
    """Delete the alerts not confirmed in time."""
    before = alerts.now() - alerts.confirm_within
    purged = await asyncio.to_thread(purge_unconfirmed, alerts.engine, before)
    if purged:
        log.info("alerts_unconfirmed_deleted", alerts=purged)
    return purged


async def send_due_digests(alerts: Alerts) -> int:
    """Send every due period of every confirmed alert; how many digests were published.
    One alert that fails is retried at the next round and holds up no other."""
    published = 0
    for alert in await asyncio.to_thread(confirmed_alerts, alerts.engine):
        try:
            published += await send_digest(alerts, alert)
        except Exception as exc:
            log.warning(
                "alert_digest_failed", alert_id=alert.alert_id, error=f"{type(exc).__name__}: {exc}"
            )
    return published


async def send_digest(alerts: Alerts, alert: Alert) -> int:
    """Publish the alert's ended period when it held changes, then record it done; 1 when a
    digest was published, else 0."""
    assert alert.period_end is not None
    hour = alerts.settings.gateway_alert_send_hour
    end = alert.sending_end or due_end(alert.period_end, alerts.now(), alert.frequency, hour)
    if end is None:
        return 0
    if alert.sending_end is None:
        await asyncio.to_thread(start_period, alerts.engine, alert.alert_id, end)
    changes = await asyncio.to_thread(
        listing_changes, alerts.engine, alert.period_end, end, alert.filters.region
    )
    entries = period_entries(alert.filters, changes)
    if entries:
        event = digest_event(alerts, alert, end, entries)
        await alerts.publisher.publish(alert_subject("digest_ready"), event, ALERTS_STREAM)
        log.info("alert_digest_published", alert_id=alert.alert_id, entries=len(entries))
    await asyncio.to_thread(finish_period, alerts.engine, alert.alert_id, end)
    return 1 if entries else 0


def digest_event(
    alerts: Alerts, alert: Alert, end: datetime, entries: list[ListingChange]
) -> AlertDigestReady:
    """The digest of a period: the first entries (the rest counted) and the alert's links."""
    assert alert.period_end is not None
    links, cap = alerts.links, alerts.settings.gateway_alert_max_entries
    manage = alert_token(alerts.secret, alert.alert_id, "manage")
    return AlertDigestReady(
        event_id=deterministic_id("alert-digest", alert.alert_id, end.isoformat()),
        occurred_at=end,
        source=alerts.settings.source,
        alert_id=alert.alert_id,
        email=alert.email,
        frequency=alert.frequency,
        filters=alert.filters,
        manage_url=links.with_token(MANAGE_PATH, manage),
        unsubscribe_url=links.with_token(UNSUBSCRIBE_PATH, manage),
        period_start=alert.period_end,
        period_end=end,
        entries=tuple(_entry(alerts, change) for change in entries[:cap]),
        more=max(0, len(entries) - cap),
        search_url=links.search(alert.filters),
    )


def _entry(alerts: Alerts, change: ListingChange) -> AlertEntry:
    return AlertEntry(
        enterprise_id=change.enterprise_id,
        name=change.name,
        place=change.municipality or change.region,
        change=change.change,
        reason=change.reason,
        occurred_at=change.occurred_at,
        url=alerts.links.enterprise(change.enterprise_id),
    )
