"""The contracts' limits as the registry keeps them: a state merged from many holdings is
capped (deterministically, with a warning), and what was stored before the limits existed
is read back within them, so a valid label event never leads to an invalid enterprise event."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TypeVar

import structlog
from pydantic import BaseModel, ValidationError

from contracts.enterprises import (
    CATEGORIES_MAX,
    HOLDINGS_MAX,
    KVK_MAX,
    THEMES_MAX,
    EnterpriseState,
)
from contracts.labels import KVK_PER_HOLDING_MAX, THEMES_PER_HOLDING_MAX, Observation

log = structlog.get_logger()
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

# The lists a stored document may hold more of than the contracts now allow.
OBSERVATION_LISTS = {"kvk": KVK_PER_HOLDING_MAX, "themes": THEMES_PER_HOLDING_MAX}
STATE_LISTS = {
    "kvk": KVK_MAX,
    "themes": THEMES_MAX,
    "labels": HOLDINGS_MAX,
    "categories": CATEGORIES_MAX,
}


def capped(items: Sequence[T], limit: int, field: str, enterprise_id: str) -> tuple[T, ...]:
    """The first `limit` items (the caller orders them), with a warning when some are left
    out."""
    if len(items) <= limit:
        return tuple(items)
    log.warning(
        "enterprise_list_capped",
        enterprise_id=enterprise_id,
        field=field,
        items=len(items),
        kept=limit,
    )
    return tuple(items[:limit])


def load_state(stored: str) -> EnterpriseState:
    """A state as stored; one stored before the limits is capped to them."""
    return _load(EnterpriseState, stored, STATE_LISTS)


def load_observation(stored: str) -> Observation:
    """An observation as stored; one stored before the limits is capped to them."""
    return _load(Observation, stored, OBSERVATION_LISTS)


def _load(model: type[M], stored: str, lists: dict[str, int]) -> M:
    try:
        return model.model_validate_json(stored)
    except ValidationError as exc:
        data: dict[str, Any] = json.loads(stored)
        clipped = {
            key: value[: lists[key]] if key in lists and isinstance(value, list) else value
            for key, value in data.items()
        }
        if clipped == data:
            raise  # not a list beyond its limit: a stored document we cannot read
        log.warning("stored_lists_capped", model=model.__name__, problem=str(exc).splitlines()[0])
        return model.model_validate(clipped)
