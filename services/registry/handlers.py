"""Use cases: record a label event, exactly once, with the enterprise event it causes."""

from __future__ import annotations

from datetime import date, datetime

import structlog

from contracts.base import utc_now
from contracts.enterprises import EnterpriseEvent
from contracts.labels import LabelEvent
from contracts.subjects import enterprise_subject
from services.registry import domain
from services.registry.adapters.unit_of_work import AbstractUnitOfWork
from services.registry.regions import Resolution

log = structlog.get_logger()


def record_label_event(
    event: LabelEvent,
    uow: AbstractUnitOfWork,
    today: date,
    *,
    source: str,
    now: datetime | None = None,
    resolution: Resolution | None = None,
) -> EnterpriseEvent | None:
    """Apply a label event to its enterprise and queue the resulting enterprise event.

    The effect (with the place's `resolution`, found before the transaction), the processed
    event id and the outbox row commit in one transaction; an event id seen before changes
    nothing. Returns the queued enterprise event, if any.
    """
    now = now or utc_now()
    with uow:
        if uow.processed.contains(event.event_id):
            log.info("label_event_skipped", reason="already processed")
            return None
        enterprise = find_enterprise(event, uow)
        outcome = domain.apply_label_event(enterprise, event, today, source, resolution)
        uow.enterprises.save(enterprise, now)
        uow.processed.add(event.event_id, now)
        if outcome is not None:
            state = outcome.enterprise
            uow.outbox.add(
                enterprise_subject(state.province, state.region, outcome.kind), outcome, now
            )
        uow.commit()
    log.info(
        "label_event_recorded",
        kind=event.kind,
        enterprise_id=enterprise.enterprise_id,
        outcome=outcome.kind if outcome else None,
        version=outcome.enterprise.version if outcome else enterprise.version,
    )
    return outcome


def find_enterprise(event: LabelEvent, uow: AbstractUnitOfWork) -> domain.Enterprise:
    """The holding's enterprise; else one sharing a KvK number; else a new one."""
    obs = domain.observation_of(event)
    found = uow.enterprises.get_by_holding(obs.label, obs.holding_id) or uow.enterprises.get_by_kvk(
        obs.kvk
    )
    if found is not None:
        return found
    return domain.Enterprise(domain.new_enterprise_id(obs.label, obs.holding_id))
