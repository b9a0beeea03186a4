"""Gateway settings, read from `IMPACTOOST_…` environment variables."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from sqlalchemy import make_url

from contracts.hotspots import HotspotsSetting
from contracts.subjects import ALL_ENTERPRISE_EVENTS, ALL_ENTERPRISE_STATES, PREFIX, slug
from services.kit.settings import KitSettings


class GatewaySettings(KitSettings, HotspotsSetting):
    """Where the read model lives, where HTTP listens, which durable consumer feeds it, and
    how enterprises sign in to complete their listing."""

    gateway_news_keep_days: int = Field(
        default=365,
        ge=1,
        le=3650,
        description="Days a hotspot's news item is kept and shown after it was published",
    )
    gateway_agenda_keep_days: int = Field(
        default=365,
        ge=1,
        le=3650,
        description="Days a hotspot's agenda item is kept and shown (among past events) "
        "after it ended",
    )

    gateway_database_url: str | None = Field(
        default=None,
        min_length=1,
        description="SQLAlchemy URL of the read model; default sqlite:///<data_dir>/gateway.db",
    )
    gateway_host: str = Field(default="127.0.0.1", min_length=1)
    gateway_port: int = Field(default=8000, ge=1, le=65535)
    gateway_consumer: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description="Durable consumer name; default gateway-<hash of the database URL>, so "
        "every read model has its own",
    )
    gateway_processed_keep_hours: float = Field(
        default=24,
        gt=0,
        description="How long the ids of applied events are kept (far beyond the streams' "
        "2-minute duplicate window); older ones at or below the durable's ack floor are "
        "pruned hourly, and their sequence still marks them applied",
    )
    gateway_durable_inactive_days: float = Field(
        default=30,
        gt=0,
        description="The server deletes this gateway's durables after so many days without "
        "a reader: a gateway given a new database (hence a new durable) leaves none behind. "
        "One that was away longer replays its streams, which its version guard makes safe",
    )
    gateway_provinces: str = Field(
        default="",
        description="The provinces whose enterprises the gateway shows, comma-separated, as "
        "subject slugs (gelderland,overijssel); empty: all",
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8000",
        pattern=r"^https?://[^\s/]+(/[^\s]*)?$",
        description="The address buyers and enterprises use (the notifier's too); https makes "
        "the gateway's cookies Secure",
    )
    health_timeout_seconds: float = Field(
        default=0.5,
        gt=0,
        le=10,
        description="How long `/healthz` waits for each service's health report",
    )
    health_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        le=300,
        description="How long `/healthz` reuses the services' reports (0: ask every time)",
    )
    gateway_secret_file: Path | None = Field(
        default=None,
        description="File holding the secret that signs CSRF tokens; default "
        "<data_dir>/gateway-secret, generated at first start",
    )
    gateway_session_hours: float = Field(
        default=2.0, gt=0, le=24, description="How long a signed-in enterprise stays signed in"
    )
    gateway_signin_limit_per_address: int = Field(
        default=3, ge=1, le=100, description="Sign-in requests per e-mail address per window"
    )
    gateway_signin_limit_per_client: int = Field(
        default=10, ge=1, le=1000, description="Sign-in requests per client address per window"
    )
    gateway_signin_limit_window_minutes: int = Field(
        default=60, ge=1, le=24 * 60, description="The window of the sign-in rate limits"
    )

    gateway_sroi_coordinators_file: Path | None = Field(
        default=None,
        description="JSON list of the regions' SROI coordinators (region, name, organisation, "
        "role, email, phone, website, checked_on), provided by the operator; none: the regions' "
        "pages say that no coordinator is known",
    )
    gateway_region_chart_months: int = Field(
        default=12, ge=2, le=60, description="How many months a region's chart shows"
    )
    gateway_alert_confirm_hours: int = Field(
        default=48,
        ge=1,
        le=24 * 14,
        description="Hours an alert waits for its confirmation; unconfirmed, it is deleted "
        "with its address after that (and the link no longer works)",
    )
    gateway_alert_send_hour: int = Field(
        default=7,
        ge=0,
        le=23,
        description="Hour (Europe/Amsterdam) at which daily periods end, and weekly ones on "
        "Mondays",
    )
    gateway_alert_check_seconds: float = Field(
        default=300.0,
        ge=1,
        le=3600,
        description="How often the gateway looks for alert periods that ended (and deletes "
        "unconfirmed alerts past their time)",
    )
    gateway_alert_max_entries: int = Field(
        default=20,
        ge=1,
        le=50,
        description="Enterprises named in one alert mail; the rest are counted, with a link to "
        "the search",
    )
    gateway_allowed_hosts: str = Field(
        default="127.0.0.1,localhost",
        pattern=r"^[A-Za-z0-9.*:\[\], -]*$",
        description="Host names the gateway answers besides the host of public_base_url, "
        "comma-separated (`*.example.org` for its subdomains, `*` for any); a request for "
        "another host gets 400. The default keeps the local demo, the container health check "
        "and a reverse proxy on the same machine working",
    )
    shortlist_keep_days: int = Field(
        default=365,
        ge=1,
        le=3650,
        description="Days a shortlist (inkooplijst) is kept after it was last opened or "
        "changed; then it is deleted with its notes",
    )

    gateway_export_max: int = Field(
        default=5000,
        ge=1,
        le=50_000,
        description="The most enterprises a search's CSV/XLSX export holds; a larger search "
        "is asked to narrow down",
    )

    @field_validator("gateway_provinces")
    @classmethod
    def _province_slugs(cls, value: str) -> str:
        return ",".join(sorted({slug(part) for part in value.split(",") if part.strip()}))

    @property
    def provinces(self) -> tuple[str, ...]:
        """The provinces shown, as subject slugs; () for all."""
        return tuple(self.gateway_provinces.split(",")) if self.gateway_provinces else ()

    @property
    def enterprise_subjects(self) -> tuple[str, ...]:
        """The enterprise subjects the read model is built from."""
        if not self.provinces:
            return (ALL_ENTERPRISE_EVENTS,)
        return tuple(f"{PREFIX}.enterprises.{province}.*.*" for province in self.provinces)

    @property
    def state_subjects(self) -> tuple[str, ...]:
        """The subjects of the present (ENTERPRISE_STATES) a new read model starts from."""
        if not self.provinces:
            return (ALL_ENTERPRISE_STATES,)
        return tuple(f"{PREFIX}.states.{province}.*.*" for province in self.provinces)

    @property
    def durable(self) -> str:
        """The durable consumer name: as set, or derived from the read model's database,
        so that gateways with different databases never share or delete each other's."""
        if self.gateway_consumer:
            return self.gateway_consumer
        url = make_url(self.database_url)
        if url.drivername.startswith("sqlite") and url.database not in (None, "", ":memory:"):
            url = url.set(database=str(Path(url.database or "").resolve()))
        identity = url.render_as_string(hide_password=True).encode()
        return f"gateway-{hashlib.sha256(identity).hexdigest()[:8]}"

    @property
    def database_url(self) -> str:
        """The read model's URL, defaulting to a SQLite file in the data directory."""
        if self.gateway_database_url:
            return self.gateway_database_url
        return f"sqlite:///{self.data_dir / 'gateway.db'}"

    @property
    def secret_file(self) -> Path:
        """Where the CSRF signing secret is read from (and generated into, by default)."""
        return self.gateway_secret_file or self.data_dir / "gateway-secret"

    @property
    def allowed_hosts(self) -> tuple[str, ...]:
        """The host names (lower case, no port) requests may be addressed to."""
        public = urlsplit(self.public_base_url).hostname or ""
        extra = (part.strip().lower() for part in self.gateway_allowed_hosts.split(","))
        return tuple(dict.fromkeys(host for host in (public, *extra) if host))

    @property
    def secure_cookies(self) -> bool:
        """Cookies are sent only over TLS when the public address is https."""
        return self.public_base_url.startswith("https://")
