"""Registry settings: the kit's, plus the database, the outbox relay's pace, place resolution
and the listing rules a deployment chooses (served region, grace period, reminders)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator

from services.kit.settings import KitSettings
from services.registry.regions.pdok import DEFAULT_BASE_URL as PDOK_BASE_URL
from services.registry.regions.served import DEFAULT_PROVINCES, ServedRegion
from services.registry.rules import DEFAULT_LEAD_DAYS, ListingRules


class RegistrySettings(KitSettings):
    """Settings of the registry service, read from `IMPACTOOST_…` environment variables."""

    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; sqlite:///<data_dir>/registry.db when not set. "
        "PostgreSQL: postgresql+psycopg://user:password@host:port/db",
    )
    outbox_poll_seconds: float = Field(
        default=3.0,
        gt=0,
        le=300,
        description="How often the outbox relay looks for rows nobody woke it for",
    )
    health_relay_stale_seconds: float = Field(
        default=60.0,
        gt=0,
        le=86400,
        description="Its health is degraded once the oldest unpublished outbox row is older",
    )
    outbox_batch_size: int = Field(
        default=100, ge=1, le=10_000, description="Outbox rows published per pass"
    )
    outbox_keep_days: int = Field(
        default=7,
        ge=1,
        le=3650,
        description="Days a published outbox row is kept (JetStream holds the event) before "
        "it is deleted",
    )
    processed_keep_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="Days a processed label event's id is kept at least; after that it is "
        "pruned once the durable acknowledged its stream sequence, which keeps recognising "
        "a redelivery",
    )
    label_batch_size: int = Field(
        default=100,
        ge=1,
        le=1_000,
        description="Label events fetched at once and committed in one transaction",
    )
    pdok_base_url: str = Field(
        default=PDOK_BASE_URL,
        description="PDOK Locatieserver for places the bundled data does not know; "
        "empty: bundled data only",
    )
    pdok_cache_file: Path | None = Field(
        default=None,
        description="Where PDOK's answers are kept; <data_dir>/pdok-cache.json when not set",
    )

    served_provinces: str = Field(
        default=", ".join(DEFAULT_PROVINCES),
        description="The provinces whose enterprises are listed, comma-separated (names or "
        "abbreviations such as OV, GLD), or `alle` / `all` for the whole country; an "
        "enterprise whose place lies elsewhere is not",
    )
    grace_days: int = Field(
        default=0,
        ge=0,
        le=365,
        description="Days a lapsed enterprise stays listed, marked 'hercertificering loopt'; "
        "0: delisted the day its label lapses",
    )
    reminder_lead_days: str = Field(
        default=",".join(str(days) for days in DEFAULT_LEAD_DAYS),
        description="Days before a label's end (of a label whose loss would delist) at which "
        "the enterprise is reminded, comma-separated; empty: no reminders",
    )
    registry_contacts_file: Path | None = Field(
        default=None,
        description="The operator's CSV `kvk,website,email`: its addresses may sign in for "
        "their enterprise; unset or missing: only addresses at a registry-published domain",
    )
    personal_data_days: int = Field(
        default=365,
        ge=1,
        le=3650,
        description="Days sign-in claims and supplement changes are kept, and how long a "
        "delisted enterprise's supplement is kept for its return",
    )
    time_check_seconds: float = Field(
        default=3600.0,
        gt=0,
        le=86_400,
        description="How often the registry looks for reminders due, validities that ran out "
        "and grace periods that ended (also once at start-up)",
    )

    @field_validator("served_provinces")
    @classmethod
    def _known_provinces(cls, value: str) -> str:
        return str(ServedRegion.parse(value))

    @field_validator("reminder_lead_days")
    @classmethod
    def _whole_days(cls, value: str) -> str:
        parts = [part.strip() for part in value.split(",") if part.strip()]
        if not all(part.isdigit() and 1 <= int(part) <= 365 for part in parts):
            raise ValueError(f"expected whole days from 1 to 365, comma-separated: {value!r}")
        return ",".join(str(days) for days in sorted({int(p) for p in parts}, reverse=True))

    def listing_rules(self) -> ListingRules:
        """The rules these settings choose."""
        leads = tuple(int(days) for days in self.reminder_lead_days.split(",") if days)
        return ListingRules(
            served=ServedRegion.parse(self.served_provinces),
            grace_days=self.grace_days,
            lead_days=leads,
        )

    @property
    def pdok_cache_path(self) -> Path:
        """The PDOK cache file, in the data directory unless set."""
        return self.pdok_cache_file or self.data_dir / "pdok-cache.json"

    @model_validator(mode="before")
    @classmethod
    def _database_in_data_dir(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("database_url"):
            data_dir = Path(data.get("data_dir") or cls.model_fields["data_dir"].default)
            return {**data, "database_url": f"sqlite:///{data_dir / 'registry.db'}"}
        return data
