"""Gateway settings, read from `IMPACTOOST_…` environment variables."""

from __future__ import annotations

from pydantic import Field

from services.kit.settings import KitSettings


class GatewaySettings(KitSettings):
    """Where the read model lives, where HTTP listens, and which durable consumer feeds it."""

    gateway_database_url: str | None = Field(
        default=None,
        min_length=1,
        description="SQLAlchemy URL of the read model; default sqlite:///<data_dir>/gateway.db",
    )
    gateway_host: str = Field(default="127.0.0.1", min_length=1)
    gateway_port: int = Field(default=8000, ge=1, le=65535)
    gateway_consumer: str = Field(
        default="gateway-readmodel",
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description="Durable consumer name; every gateway with its own database needs its own",
    )

    @property
    def database_url(self) -> str:
        """The read model's URL, defaulting to a SQLite file in the data directory."""
        if self.gateway_database_url:
            return self.gateway_database_url
        return f"sqlite:///{self.data_dir / 'gateway.db'}"
