"""The SROI coordinators of each labour-market region, from a file the operator provides.

Nothing here is invented: without a file, or for a region the file does not name, the page
says that no coordinator is known. The file is read and checked once, at start-up; a
mistake stops the gateway with the entry and field that is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from contracts.places import region_named

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Coordinator(BaseModel):
    """One person (or desk) buyers and contractors may ask about social return in a region."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    region: Text = Field(description="A labour-market region, as CBS spells it")
    name: Text
    organisation: Text
    role: Text | None = None
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")] | None = (
        None
    )
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{6,20}$")] | None = None
    website: Annotated[str, StringConstraints(pattern=r"^https?://[^\s<>\"]+$")] | None = None
    checked_on: date = Field(description="When the operator last confirmed this entry")

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        named = region_named(value)
        if named is None:
            raise ValueError(f"{value!r} is not a labour-market region")
        return named


class CoordinatorsFileError(ValueError):
    """The coordinators file cannot be used; the message names where and why."""


def load_coordinators(path: Path | None) -> Mapping[str, tuple[Coordinator, ...]]:
    """The coordinators by region (CBS spelling) from a JSON list; {} without a file."""
    if path is None:
        return {}
    try:
        entries = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CoordinatorsFileError(f"{path}: cannot be read as JSON: {exc}") from exc
    if not isinstance(entries, list):
        raise CoordinatorsFileError(f"{path}: expected a JSON list of coordinators")
    by_region: dict[str, list[Coordinator]] = {}
    for number, entry in enumerate(entries, start=1):
        try:
            coordinator = Coordinator.model_validate(entry)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, error['loc'])) or 'entry'}: {error['msg']}"
                for error in exc.errors()
            )
            raise CoordinatorsFileError(f"{path}: entry {number}: {problems}") from exc
        by_region.setdefault(coordinator.region, []).append(coordinator)
    return {region: tuple(found) for region, found in by_region.items()}
