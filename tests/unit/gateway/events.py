"""Event builders for the gateway's tests: valid contract events with readable defaults."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from contracts.base import deterministic_id
from contracts.enterprises import (
    EnterpriseDelisted,
    EnterpriseListed,
    EnterpriseRecertificationDue,
    EnterpriseState,
    EnterpriseUpdated,
    LabelHolding,
)
from contracts.labels import LabelName
from contracts.scrapes import ScrapeCompleted, ScrapeFailed, ScrapeStats
from contracts.supplements import ListingSupplement

VERIFIED = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def holding(label: LabelName = "pso", holding_id: str | None = None, **fields: Any) -> LabelHolding:
    """A counting holding, verified at `VERIFIED`."""
    values: dict[str, Any] = {
        "label": label,
        "holding_id": holding_id or f"{label}-1",
        "level": "trede-3",
        "status": "gecertificeerd",
        "valid_from": date(2024, 3, 12),
        "valid_until": date(2026, 3, 12),
        "counts": True,
        "source_url": f"https://registry.example/{label}/1",
        "last_verified_at": VERIFIED,
    }
    return LabelHolding(**(values | fields))


def supplement(**fields: Any) -> ListingSupplement:
    """What an enterprise added on 10 March 2026: nothing but what `fields` give."""
    return ListingSupplement(**({"updated_at": datetime(2026, 3, 10, 9, 30, tzinfo=UTC)} | fields))


def state(enterprise_id: str = "e1", version: int = 1, **fields: Any) -> EnterpriseState:
    """A listed enterprise in Enschede, Overijssel, holding PSO Trede 3."""
    values: dict[str, Any] = {
        "enterprise_id": enterprise_id,
        "version": version,
        "name": "Kringloop Twente",
        "place": "Enschede",
        "municipality": "Enschede",
        "province": "Overijssel",
        "region": "Twente",
        "website": "https://kringlooptwente.nl/",
        "kvk": ("61234567",),
        "labels": (holding(),),
        "themes": ("Circulaire economie",),
        "listed": True,
        "listed_since": VERIFIED,
    }
    return EnterpriseState(**(values | fields))


def _meta(s: EnterpriseState, kind: str) -> dict[str, Any]:
    return {
        "event_id": deterministic_id(s.enterprise_id, s.version, kind),
        "occurred_at": VERIFIED + timedelta(minutes=s.version),
        "source": "test",
    }


def listed(enterprise_id: str = "e1", version: int = 1, **fields: Any) -> EnterpriseListed:
    """`EnterpriseListed` for `state(...)`."""
    s = state(enterprise_id, version, **fields)
    return EnterpriseListed(**_meta(s, "listed"), enterprise=s)


def updated(enterprise_id: str = "e1", version: int = 2, **fields: Any) -> EnterpriseUpdated:
    """`EnterpriseUpdated` for `state(...)`."""
    s = state(enterprise_id, version, **fields)
    return EnterpriseUpdated(**_meta(s, "updated"), enterprise=s, changes=("labels",))


def delisted(enterprise_id: str = "e1", version: int = 2, **fields: Any) -> EnterpriseDelisted:
    """`EnterpriseDelisted`: the state with `listed` false and its labels no longer counting."""
    fields.setdefault("labels", (holding(counts=False, status="verlopen"),))
    s = state(enterprise_id, version, **({"listed": False} | fields))
    return EnterpriseDelisted(
        **_meta(s, "delisted"), enterprise=s, lapsed_label="pso", lapsed_on=date(2026, 3, 13)
    )


def moved_away(enterprise_id: str = "e1", version: int = 2, **fields: Any) -> EnterpriseDelisted:
    """`EnterpriseDelisted` because the place now lies outside the region (labels still count)."""
    fields.setdefault("place", "Utrecht")
    s = state(enterprise_id, version, **({"listed": False} | fields))
    return EnterpriseDelisted(**_meta(s, "delisted"), enterprise=s, reason="outside_region")


def in_grace(grace_until: date = date(2026, 4, 11), **fields: Any) -> LabelHolding:
    """A lapsed holding that still counts until `grace_until` (hercertificering loopt)."""
    return holding(**({"status": "verlopen", "grace_until": grace_until} | fields))


def recertification_due(
    enterprise_id: str = "e1",
    version: int = 1,
    lead_days: int = 30,
    **fields: Any,
) -> EnterpriseRecertificationDue:
    """The reminder that the PSO holding ends on 12 March 2026, with the state at `version`."""
    s = state(enterprise_id, version, **fields)
    return EnterpriseRecertificationDue(
        event_id=deterministic_id(enterprise_id, "pso-1", "2026-03-12", lead_days),
        occurred_at=datetime(2026, 3, 12, tzinfo=UTC) - timedelta(days=lead_days),
        source="test",
        enterprise=s,
        label="pso",
        holding_id="pso-1",
        valid_until=date(2026, 3, 12),
        lead_days=lead_days,
    )


def scrape_completed(
    label: LabelName = "pso",
    started_at: datetime = VERIFIED,
    holdings: int = 120,
    counting: int = 110,
) -> ScrapeCompleted:
    """A successful run that finished five minutes after it started."""
    return ScrapeCompleted(
        event_id=deterministic_id(label, "completed", started_at.isoformat()),
        occurred_at=started_at + timedelta(minutes=5),
        source="test",
        label=label,
        started_at=started_at,
        stats=ScrapeStats(holdings=holdings, counting=counting),
        next_run_at=started_at + timedelta(hours=6),
    )


def scrape_failed(
    label: LabelName = "pso",
    started_at: datetime = VERIFIED,
    reason: str = "HTTP 503 after 5 attempts",
) -> ScrapeFailed:
    """A failed run that gave up a minute after it started."""
    return ScrapeFailed(
        event_id=deterministic_id(label, "failed", started_at.isoformat()),
        occurred_at=started_at + timedelta(minutes=1),
        source="test",
        label=label,
        started_at=started_at,
        reason=reason,
        stats=ScrapeStats(),
    )
