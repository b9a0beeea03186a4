"""Settings base: every service reads `IMPACTOOST_…` variables into one object at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConfigError(Exception):
    """A setting is missing or invalid; the message says which and why, in one line."""


class KitSettings(BaseSettings):
    """Settings every service shares."""

    model_config = SettingsConfigDict(env_prefix="IMPACTOOST_", extra="ignore", frozen=True)

    nats_url: str = Field(
        default="nats://127.0.0.1:4222",
        pattern=r"^(nats|tls)://[^\s,]+(,(nats|tls)://[^\s,]+)*$",
        description="One NATS server, or several comma-separated (the nodes of a cluster): a "
        "service starts while any of them answers",
    )
    data_dir: Path = Path("var")
    source: str = Field(
        default="impactoost",
        min_length=1,
        max_length=200,
        description="Names this deployment in every event's `source`",
    )
    platform_name: str = Field(
        default="Impact Oost",
        min_length=1,
        max_length=100,
        description="The platform's name on its pages and in its e-mails (one per region)",
    )
    log_format: Literal["auto", "console", "json"] = "auto"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    stream_replicas: int = Field(default=1, ge=1, le=5)
    publish_timeout_seconds: float = Field(default=5.0, gt=0)
    ack_wait_seconds: float = Field(
        default=30.0, gt=0, description="How long a consumer waits for an ack before redelivery"
    )
    failpoints: frozenset[str] = Field(
        default=frozenset(),
        description="Test-only crash points, e.g. `registry.after_commit`; empty in production",
    )


def nats_servers(url: str) -> list[str]:
    """The servers of a comma-separated NATS URL (`nats://a:4222,nats://b:4222`): nats-py
    takes a list, not the joined string."""
    return [part.strip() for part in url.split(",") if part.strip()]


T = TypeVar("T", bound=BaseSettings)


def load_settings(cls: type[T], **overrides: Any) -> T:
    """Build a settings object, turning validation errors into one readable `ConfigError`."""
    try:
        return cls(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"IMPACTOOST_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from None
