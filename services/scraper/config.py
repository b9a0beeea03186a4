"""Scraper settings, read from `IMPACTOOST_…` environment variables."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from contracts.hotspots import HotspotsSetting
from contracts.labels import LABELS, LabelName
from services.kit.settings import KitSettings
from services.scraper.http import HttpPolicy
from services.scraper.policy import (
    DEFAULT_LISTING_POLICY,
    ListingPolicy,
    apply_overrides,
    parse_listing_policy,
)

_URL = r"^https?://[^\s/]+(:\d+)?/?$"


class ScraperSettings(KitSettings, HotspotsSetting):
    """How, where and how often the registries are read."""

    pso_base_url: str = Field(default="https://www.pso-nederland.nl", pattern=_URL)
    codeso_base_url: str = Field(default="https://www.codesocialeondernemingen.nl", pattern=_URL)
    senl_base_url: str = Field(default="https://www.social-enterprise.nl", pattern=_URL)
    cedris_base_url: str = Field(default="https://www.cedris.nl", pattern=_URL)
    scrape_labels: tuple[LabelName, ...] = Field(
        default=LABELS, description="Labels scraped on the schedule"
    )
    scrape_interval_seconds: float = Field(default=3600.0, gt=0)
    scrape_request_rate: float = Field(
        default=0.5, gt=0, le=50, description="Requests per second per host"
    )
    scrape_min_holdings_ratio: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="A run with fewer holdings, or fewer counting holdings, than this share "
        "of the last good run's fails",
    )
    scrape_absent_runs_to_lapse: int = Field(
        default=2, ge=1, description="Consecutive successful runs a holding must be missing from"
    )
    feed_interval_seconds: float | None = Field(
        default=None,
        gt=0,
        description="Seconds between rounds of the hotspots' feeds; none: "
        "IMPACTOOST_SCRAPE_INTERVAL_SECONDS",
    )
    feed_agenda_days_back: int = Field(
        default=60, ge=0, le=366, description="Agenda feeds: occurrences from this many days ago"
    )
    feed_agenda_days_ahead: int = Field(
        default=365, ge=1, le=1100, description="Agenda feeds: occurrences up to this many days on"
    )
    scrape_max_attempts: int = Field(default=4, ge=1, le=10)
    scrape_backoff_seconds: float = Field(default=2.0, ge=0)
    scrape_max_retry_after_seconds: float = Field(default=300.0, ge=0)
    scrape_timeout_seconds: float = Field(default=30.0, gt=0)
    user_agent: str = Field(
        default="impactoost-scraper/0.1 (+https://impactoost.nl/over-de-scraper)",
        pattern=r"https?://",
        min_length=10,
        max_length=300,
        description="Names the platform and a contact URL, as the registries' owners expect",
    )
    # NoDecode: the JSON is read by `_listing_policy`, so a mistake is a ConfigError naming it.
    listing_policy: Annotated[ListingPolicy, NoDecode] = Field(
        default=DEFAULT_LISTING_POLICY,
        description="Which statuses and levels count per label: JSON overriding the defaults, "
        'e.g. {"codeso": {"statuses": ["geregistreerd", "aangevraagd"]}}',
    )

    @field_validator("listing_policy", mode="before")
    @classmethod
    def _listing_policy(cls, value: Any) -> Any:
        if isinstance(value, str):
            return parse_listing_policy(value)
        if isinstance(value, ListingPolicy):
            return value
        return apply_overrides(value)

    def base_url(self, label: LabelName) -> str:
        """The registry address for `label`."""
        urls = {
            "pso": self.pso_base_url,
            "codeso": self.codeso_base_url,
            "senl": self.senl_base_url,
            "cedris": self.cedris_base_url,
        }
        return urls[label].rstrip("/")

    def http_policy(self) -> HttpPolicy:
        """The polite-client policy these settings describe."""
        return HttpPolicy(
            user_agent=self.user_agent,
            requests_per_second=self.scrape_request_rate,
            max_attempts=self.scrape_max_attempts,
            backoff_seconds=self.scrape_backoff_seconds,
            max_retry_after_seconds=self.scrape_max_retry_after_seconds,
            timeout_seconds=self.scrape_timeout_seconds,
        )
