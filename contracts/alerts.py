"""Alerts: a buyer's saved search, mailed daily or weekly with the enterprises that joined,
returned to or left it.

The gateway keeps the alerts and decides what a period holds; the notifier only mails what
these events say. They carry a buyer's address and the links that confirm, change or stop
the alert, so their stream keeps them a few days and they are not for regional subscribers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, field_validator

from contracts.base import Event, Frozen
from contracts.labels import LabelName
from contracts.supplements import normalise_email

Frequency = Literal["daily", "weekly"]
Change = Literal["joined", "returned", "left"]
ENTRIES_MAX = 50
"""At most this many enterprises in one digest; the rest are counted in `more`."""
URL_PATTERN = r"^https?://\S+$"


class AlertFilters(Frozen):
    """The saved search, with the search page's parameter meanings: any of these categories
    (slugs), any of these counting labels, and the enterprise's own labour-market region."""

    category: tuple[str, ...] = ()
    label: tuple[LabelName, ...] = ()
    region: str | None = None


class _ToBuyer(Event):
    alert_id: str = Field(min_length=8, max_length=64)
    email: str
    frequency: Frequency
    filters: AlertFilters
    manage_url: str = Field(pattern=URL_PATTERN, description="Change or stop the alert")
    unsubscribe_url: str = Field(
        pattern=URL_PATTERN,
        description="RFC 8058 one-click unsubscribe: a POST with `List-Unsubscribe=One-Click`",
    )

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalise_email(value)


class AlertConfirmationRequested(_ToBuyer):
    """Someone asked for an alert at this address: mail the link that confirms it (double
    opt-in). Until it is confirmed nothing else is mailed."""

    kind: Literal["confirmation_requested"] = "confirmation_requested"
    confirm_url: str = Field(pattern=URL_PATTERN)
    expires_at: datetime


class AlertEntry(Frozen):
    """One enterprise that joined, returned to or left the saved search in the period."""

    enterprise_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=300)
    place: str | None = Field(default=None, max_length=120)
    change: Change
    reason: str | None = Field(
        default=None,
        max_length=32,
        description="Why it left (contracts.enterprises.DelistReason); `moved` on an arrival "
        "from elsewhere",
    )
    occurred_at: datetime
    url: str = Field(pattern=URL_PATTERN, description="The enterprise's page")


class AlertDigestReady(_ToBuyer):
    """A period of a confirmed alert held changes: mail them. Never published for an empty
    period; its id derives from the alert and the period's end."""

    kind: Literal["digest_ready"] = "digest_ready"
    period_start: datetime
    period_end: datetime
    entries: tuple[AlertEntry, ...] = Field(min_length=1, max_length=ENTRIES_MAX)
    more: int = Field(default=0, ge=0, description="Changes left out of `entries`")
    search_url: str = Field(pattern=URL_PATTERN, description="The saved search, now")


AlertEvent = AlertConfirmationRequested | AlertDigestReady
AnyAlertEvent = Annotated[AlertEvent, Field(discriminator="kind")]
