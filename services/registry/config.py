"""Registry settings: the kit's, plus the database and the outbox relay's pace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, model_validator

from services.kit.settings import KitSettings
from services.registry.regions.pdok import DEFAULT_BASE_URL as PDOK_BASE_URL


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
    outbox_batch_size: int = Field(default=100, ge=1, le=10_000)
    pdok_base_url: str = Field(
        default=PDOK_BASE_URL,
        description="PDOK Locatieserver for places the bundled data does not know; "
        "empty: bundled data only",
    )
    pdok_cache_file: Path | None = Field(
        default=None,
        description="Where PDOK's answers are kept; <data_dir>/pdok-cache.json when not set",
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
