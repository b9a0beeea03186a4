"""The envelope every event shares: identity, time, origin, schema version."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


def deterministic_id(*parts: object) -> str:
    """Derive an event id from the facts that make it unique.

    The same fact always gives the same id, so a repeated scrape or a retried publish is
    recognised as a duplicate by JetStream (``Nats-Msg-Id``) and by every consumer.
    """
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class Frozen(BaseModel):
    """Immutable value object. Unknown fields in a payload are ignored, as the v1 rules ask
    of every subscriber (docs/compatibility.md): a publisher may add an optional field
    without breaking readers of an older `contracts`. Our own code cannot pass an unknown
    field: mypy's pydantic plugin forbids it (`init_forbid_extra`)."""

    model_config = ConfigDict(frozen=True, extra="ignore")


def _kind_required(schema: dict[str, Any]) -> None:
    """The schema of a payload: `kind`, the discriminator, is required on the wire even
    though the models fill it in when our code builds an event (docs/compatibility.md)."""
    if "kind" in schema.get("properties", {}) and "kind" not in schema.get("required", []):
        schema["required"] = [*schema.get("required", []), "kind"]


class Event(Frozen):
    """Base of every event: frozen, versioned, carrying its own deterministic id."""

    model_config = ConfigDict(frozen=True, extra="ignore", json_schema_extra=_kind_required)

    schema_version: Literal[1] = 1
    event_id: str = Field(min_length=8, max_length=64)
    occurred_at: datetime
    source: str = Field(min_length=1, max_length=200)

    @model_validator(mode="before")
    @classmethod
    def _no_nul_characters(cls, data: Any) -> Any:
        """No text in an event holds a NUL character: no registry page or form yields one,
        and no database we use can store it, so such an event is refused as invalid."""
        if _holds_nul(data):
            raise ValueError("text must not contain NUL characters")
        return data

    @field_validator("occurred_at")
    @classmethod
    def _must_be_utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("occurred_at must be timezone-aware")
        return value.astimezone(UTC)


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_holds_nul(v) for v in value)
    return False
