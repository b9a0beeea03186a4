"""Enterprise and sign-in events as the registry publishes them, for the notifier's tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from contracts.base import deterministic_id
from contracts.enterprises import (
    EnterpriseDelisted,
    EnterpriseListed,
    EnterpriseRecertificationDue,
    EnterpriseState,
    EnterpriseSupplementHidden,
    EnterpriseUpdated,
    LabelHolding,
)
from contracts.signin import SignInGranted
from contracts.supplements import SupplementField

HOSTILE_NAME = '<script>alert("x")</script> & Zonen <b>B.V.</b>'


def pso_holding(**changes: object) -> LabelHolding:
    """A counting PSO Trede 3 certificate, valid until 12 March 2026."""
    data: dict[str, object] = dict(
        label="pso",
        holding_id="PSO-2024-0153",
        level="trede-3",
        pso30plus=False,
        status="gecertificeerd",
        valid_from=date(2024, 3, 12),
        valid_until=date(2026, 3, 12),
        counts=True,
        source_url="https://www.pso-nederland.nl/pso-register/certificaat/1",
        last_verified_at=datetime(2025, 1, 6, 9, 0, tzinfo=UTC),
    )
    return LabelHolding.model_validate(data | changes)


def enterprise(**changes: object) -> EnterpriseState:
    """Kringloop Twente, listed through its PSO certificate."""
    data: dict[str, object] = dict(
        enterprise_id="e1a2b3c4d5e6f708",
        version=1,
        name="Kringloop Twente B.V.",
        place="Enschede",
        website="https://kringlooptwente.nl/",
        kvk=("06123456",),
        labels=(pso_holding(),),
        listed=True,
        listed_since=datetime(2025, 1, 6, 9, 0, tzinfo=UTC),
    )
    return EnterpriseState.model_validate(data | changes)


def listed(state: EnterpriseState | None = None) -> EnterpriseListed:
    """The event that made the enterprise visible."""
    state = state or enterprise()
    return EnterpriseListed(
        event_id=deterministic_id(state.enterprise_id, state.version, "listed"),
        occurred_at=datetime(2025, 1, 6, 9, 0, tzinfo=UTC),
        source="test",
        enterprise=state,
    )


def updated(
    state: EnterpriseState | None = None, changes: tuple[str, ...] = ("labels",)
) -> EnterpriseUpdated:
    """A change to a listed enterprise."""
    state = state or enterprise(version=2)
    return EnterpriseUpdated(
        event_id=deterministic_id(state.enterprise_id, state.version, "updated"),
        occurred_at=datetime(2025, 2, 1, 9, 0, tzinfo=UTC),
        source="test",
        enterprise=state,
        changes=changes,
    )


def delisted(state: EnterpriseState | None = None) -> EnterpriseDelisted:
    """The enterprise's PSO certificate lapsed on 12 March 2026."""
    state = state or enterprise(
        version=3, listed=False, labels=(pso_holding(counts=False, status="verlopen"),)
    )
    return EnterpriseDelisted(
        event_id=deterministic_id(state.enterprise_id, state.version, "delisted"),
        occurred_at=datetime(2026, 3, 13, 6, 0, tzinfo=UTC),
        source="test",
        enterprise=state,
        lapsed_label="pso",
        lapsed_on=date(2026, 3, 12),
    )


def moved_away(state: EnterpriseState | None = None) -> EnterpriseDelisted:
    """The enterprise now lies in Utrecht, outside the region the platform serves."""
    state = state or enterprise(version=3, listed=False, place="Utrecht")
    return EnterpriseDelisted(
        event_id=deterministic_id(state.enterprise_id, state.version, "delisted"),
        occurred_at=datetime(2025, 9, 1, 6, 0, tzinfo=UTC),
        source="test",
        enterprise=state,
        reason="outside_region",
    )


def moved(
    to: str = "Arnhem", province: str = "Gelderland", region: str = "Midden-Gelderland"
) -> tuple[EnterpriseDelisted, EnterpriseListed]:
    """The enterprise moved from Enschede (Twente) to `to`, another region it stays listed in:
    delisted there at version 2, listed here at version 3, listed since its first listing."""
    at = datetime(2025, 6, 2, 6, 0, tzinfo=UTC)
    left = enterprise(
        version=2,
        listed=False,
        listed_since=None,
        municipality="Enschede",
        province="Overijssel",
        region="Twente",
    )
    arrived = enterprise(version=3, place=to, municipality=to, province=province, region=region)
    return (
        EnterpriseDelisted(
            event_id=deterministic_id(left.enterprise_id, 2, "delisted"),
            occurred_at=at,
            source="test",
            enterprise=left,
            reason="moved",
        ),
        EnterpriseListed(
            event_id=deterministic_id(arrived.enterprise_id, 3, "listed"),
            occurred_at=at,
            source="test",
            enterprise=arrived,
        ),
    )


def in_grace(grace_until: date = date(2026, 4, 11)) -> EnterpriseState:
    """Listed only because its lapsed PSO certificate still counts in the grace period."""
    lapsed = pso_holding(status="verlopen", grace_until=grace_until)
    return enterprise(version=3, labels=(lapsed,), grace_until=grace_until)


def recertification_due(
    state: EnterpriseState | None = None,
    lead_days: int = 30,
    occurred_at: datetime = datetime(2026, 2, 10, 6, 0, tzinfo=UTC),
) -> EnterpriseRecertificationDue:
    """The reminder that the PSO certificate, its only label, ends on 12 March 2026."""
    state = state or enterprise()
    return EnterpriseRecertificationDue(
        event_id=deterministic_id(state.enterprise_id, "PSO-2024-0153", "2026-03-12", lead_days),
        occurred_at=occurred_at,
        source="test",
        enterprise=state,
        label="pso",
        holding_id="PSO-2024-0153",
        valid_until=date(2026, 3, 12),
        lead_days=lead_days,
    )


def supplement_hidden(
    fields: tuple[SupplementField, ...] = ("description", "website"),
    reason: str = "De omschrijving en website horen bij een andere onderneming.",
    state: EnterpriseState | None = None,
) -> EnterpriseSupplementHidden:
    """An operator hid fields of Kringloop Twente's own supplement, saying why."""
    state = state or enterprise(version=4)
    return EnterpriseSupplementHidden(
        event_id=deterministic_id(state.enterprise_id, state.version, "supplement_hidden"),
        occurred_at=datetime(2026, 1, 20, 10, 0, tzinfo=UTC),
        source="test",
        enterprise=state,
        fields=fields,
        reason=reason,
    )


def granted(
    email: str = "info@kringlooptwente.example",
    enterprise_id: str = "e1a2b3c4d5e6f708",
    request: str = "request-1",
) -> SignInGranted:
    """The registry trusts `email` for Kringloop Twente: mail it a sign-in link."""
    return SignInGranted(
        event_id=deterministic_id(request, "granted"),
        occurred_at=datetime(2026, 1, 20, 10, 0, tzinfo=UTC),
        source="test",
        enterprise_id=enterprise_id,
        email=email,
        enterprise_name="Kringloop Twente B.V.",
        trusted_by="contacts_file",
        request_event_id=deterministic_id(request),
    )
