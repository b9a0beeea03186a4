"""Use cases of enterprises completing their own listing: record a supplement, decide who
may sign in (or file a claim for an operator), approve or reject claims, hide misleading
fields, and forget personal data after the retention period.

Each runs in one transaction with its processed event id (where an event caused it), its
audit row and its outbox rows. None of them lists or delists anyone: a supplement only
changes what buyers see of an enterprise a label lists.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Literal

import structlog

from contracts.base import deterministic_id
from contracts.signin import SignInGranted, SignInRequested
from contracts.subjects import signin_subject
from contracts.supplements import SupplementField, SupplementSubmitted
from services.kit.contacts import Contacts
from services.registry import domain, reminders, supplements, trust
from services.registry.adapters.claims import SupplementChange
from services.registry.adapters.unit_of_work import AbstractUnitOfWork
from services.registry.enterprise import Enterprise
from services.registry.handlers import queue
from services.registry.rules import ListingRules

log = structlog.get_logger()


class Refused(Exception):
    """An operator's command that cannot be carried out; the message says why."""


def record_supplement(
    event: SupplementSubmitted,
    uow: AbstractUnitOfWork,
    today: date,
    *,
    source: str,
    now: datetime,
    rules: ListingRules = domain.STRICT,
) -> bool:
    """Keep what a signed-in enterprise submitted and tell consumers; False (changing
    nothing but the processed id) for a duplicate, or for an enterprise not listed now."""
    with uow:
        if not uow.processed.claim(event.event_id, now):
            return False
        enterprise = uow.enterprises.get(event.enterprise_id)
        if enterprise is None or not enterprise.listed:
            log.warning(
                "supplement_refused", enterprise_id=event.enterprise_id, reason="not listed"
            )
            uow.commit()
            return False
        before = enterprise.supplement
        stored = supplements.submitted(
            before, event.supplement, event.occurred_at, event.submitted_by
        )
        fields = supplements.changed_fields(before.supplement if before else None, event.supplement)
        outcome = domain.apply_supplement(enterprise, stored, today, source, now, rules)
        _save(enterprise, uow, today, now, rules)
        uow.claims.record_change(
            SupplementChange(
                enterprise.enterprise_id,
                now,
                event.submitted_by,
                "submitted",
                fields,
                event.supplement.model_dump_json(),
            )
        )
        queue(outcome, uow, now)
        uow.commit()
    log.info("supplement_recorded", enterprise_id=enterprise.enterprise_id, fields=list(fields))
    return True


def decide_sign_in(
    event: SignInRequested, uow: AbstractUnitOfWork, contacts: Contacts, *, now: datetime
) -> str:
    """Grant a sign-in to a trusted address (queued for the notifier), or file a claim for
    an operator; nothing for an enterprise not listed. Returns what was decided."""
    with uow:
        if not uow.processed.claim(event.event_id, now):
            return "duplicate"
        enterprise = uow.enterprises.get(event.enterprise_id)
        if enterprise is None or not enterprise.listed:
            decision = "refused"
        else:
            listed: set[str] = set()
            for holding in enterprise.holdings.values():
                listed |= contacts.addresses_for(enterprise.kvk(), holding.observation.website)
            why = trust.trusted_by(event.email, enterprise, listed)
            if why is None:
                uow.claims.add(enterprise.enterprise_id, event.email, event.event_id, now)
                decision = "claim"
            else:
                _grant(enterprise, event.email, event.event_id, why, uow, now, event.source)
                decision = "granted"
        uow.commit()
    log.info("sign_in_decided", enterprise_id=event.enterprise_id, decision=decision)
    return decision


def decide_claim(
    claim_id: int, approve: bool, uow: AbstractUnitOfWork, *, source: str, now: datetime
) -> str:
    """An operator's decision on a waiting claim; approving grants the sign-in. Returns the
    claim's address."""
    with uow:
        claim = uow.claims.get(claim_id)
        if claim is None:
            raise Refused(f"no claim with id {claim_id}")
        if claim.decision is not None:
            raise Refused(f"claim {claim_id} was already {claim.decision}")
        if approve:
            enterprise = uow.enterprises.get(claim.enterprise_id)
            if enterprise is None or not enterprise.listed:
                raise Refused(f"claim {claim_id}: enterprise {claim.enterprise_id} is not listed")
            _grant(enterprise, claim.email, claim.request_event_id, "operator", uow, now, source)
        uow.claims.decide(claim_id, "approved" if approve else "rejected", now)
        uow.commit()
    log.info("claim_decided", claim_id=claim_id, approved=approve)
    return claim.email


def hide_fields(
    enterprise_id: str,
    fields: tuple[SupplementField, ...],
    reason: str | None,
    uow: AbstractUnitOfWork,
    today: date,
    *,
    source: str,
    now: datetime,
    rules: ListingRules = domain.STRICT,
) -> bool:
    """Hide exactly `fields` of the supplement (none: show everything again); True when
    buyers' view changed (an event was queued). The enterprise is mailed about a new hide."""
    with uow:
        enterprise = uow.enterprises.get(enterprise_id)
        if enterprise is None or enterprise.supplement is None:
            raise Refused(f"enterprise {enterprise_id} has no supplement")
        if fields and not reason:
            raise Refused("say why (--reason): the enterprise is told")
        stored = supplements.with_hidden(enterprise.supplement, fields, reason)
        outcome = domain.apply_supplement(enterprise, stored, today, source, now, rules)
        _save(enterprise, uow, today, now, rules)
        uow.claims.record_change(
            SupplementChange(enterprise_id, now, "operator", "hidden", stored.hidden, None)
        )
        queue(outcome, uow, now)
        uow.commit()
    return outcome is not None


def forget_personal_data(
    uow_factory: Callable[[], AbstractUnitOfWork], now: datetime, days: int
) -> int:
    """Delete claims and supplement changes older than `days`, and the supplements of
    enterprises delisted for longer than that. Returns how many records went."""
    cutoff = now - timedelta(days=days)
    with uow_factory() as uow:
        forgotten = uow.claims.forget_before(cutoff)
        for enterprise_id in uow.enterprises.delisted_with_supplement_before(cutoff):
            enterprise = uow.enterprises.get(enterprise_id)
            if enterprise is not None and not enterprise.listed:
                enterprise.supplement = None
                uow.enterprises.save(enterprise, now)
                forgotten += 1
        uow.commit()
    if forgotten:
        log.info("personal_data_forgotten", records=forgotten, before=cutoff.isoformat())
    return forgotten


def _grant(
    enterprise: Enterprise,
    email: str,
    request_event_id: str,
    why: Literal["contacts_file", "website_domain", "operator"],
    uow: AbstractUnitOfWork,
    now: datetime,
    source: str,
) -> None:
    name = enterprise.published.name if enterprise.published else enterprise.enterprise_id
    granted = SignInGranted(
        event_id=deterministic_id("sign-in-granted", request_event_id),
        occurred_at=now,
        source=source,
        enterprise_id=enterprise.enterprise_id,
        email=email,
        enterprise_name=name,
        trusted_by=why,
        request_event_id=request_event_id,
    )
    uow.outbox.add(signin_subject("granted"), granted, now)


def _save(
    enterprise: Enterprise,
    uow: AbstractUnitOfWork,
    today: date,
    now: datetime,
    rules: ListingRules,
) -> None:
    enterprise.next_check_on = reminders.next_check_on(enterprise, today, rules)
    uow.enterprises.save(enterprise, now)
