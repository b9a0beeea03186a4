"""Settings of the demo launcher, read from `IMPACTOOST_…` environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class DemoSettings(BaseSettings):
    """How the demo's timeline moves."""

    model_config = SettingsConfigDict(env_prefix="IMPACTOOST_", extra="ignore", frozen=True)

    demo_step_seconds: float = Field(
        default=90.0,
        ge=0,
        description="Seconds between two steps of the demo's timeline; 0: only by hand",
    )
