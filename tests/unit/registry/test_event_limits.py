"""The contracts' limits: an enterprise event at every limit stays within the byte budget,
one beyond a limit is refused naming the field, and the registry merges any number of valid
label events into enterprise events within the limits."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from contracts import enterprises as limits
from contracts import labels
from contracts.enterprises import (
    EVENT_BYTES_BUDGET,
    EnterpriseListed,
    EnterpriseState,
    EnterpriseUpdated,
    LabelHolding,
)
from contracts.labels import LABELS, Observation
from contracts.supplements import (
    AREAS_MAX,
    DESCRIPTION_MAX,
    KEYWORD_MAX,
    KEYWORDS_MAX,
    BuyersContact,
    ListingSupplement,
)
from services.registry.adapters.publisher import ENTERPRISE_EVENT
from services.registry.adapters.unit_of_work import FakeDatabase, FakeUnitOfWork
from services.registry.handlers import record_label_event
from services.registry.limits import load_observation, load_state
from tests.unit.registry.factories import TODAY, at, granted, observation

pytestmark = pytest.mark.unit

WHEN = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
MAX_PAYLOAD = 1024 * 1024


def text(char: str, length: int, n: int = 0) -> str:
    """`length` characters, distinct per `n`."""
    return (f"{n:04d}" + char * length)[:length]


def holding_at_limits(n: int, char: str) -> LabelHolding:
    return LabelHolding(
        label=LABELS[n % len(LABELS)],
        holding_id=text(char, labels.HOLDING_ID_CHARS_MAX, n),
        level=text(char, labels.LEVEL_CHARS_MAX),
        status=text(char, labels.STATUS_CHARS_MAX),
        valid_from=date(2024, 1, 1),
        valid_until=date(9999, 12, 31),
        counts=True,
        grace_until=date(9999, 12, 31),
        source_url=text(char, labels.SOURCE_URL_CHARS_MAX),
        last_verified_at=WHEN,
    )


def supplement_at_limits(char: str) -> ListingSupplement:
    return ListingSupplement(
        description=text(char, DESCRIPTION_MAX),
        categories=("kringloop",)[:0],
        keywords=tuple(text(char, KEYWORD_MAX, n) for n in range(KEYWORDS_MAX)),
        delivery_areas=("Enschede",) * AREAS_MAX,
        contact=BuyersContact(name=text(char, 100), email="inkoop@example.nl"),
        website="https://" + "w" * 280 + ".nl",
        updated_at=WHEN,
        hidden=(),
    )


def state_at_limits(char: str) -> EnterpriseState:
    """Every list full and every text at its longest, written with `char`."""
    return EnterpriseState(
        enterprise_id="e" * limits.ENTERPRISE_ID_CHARS_MAX,
        version=2**62,
        name=text(char, labels.NAME_CHARS_MAX),
        place=text(char, labels.PLACE_CHARS_MAX),
        municipality=text(char, limits.AREA_CHARS_MAX),
        province=text(char, limits.AREA_CHARS_MAX),
        region=text(char, limits.AREA_CHARS_MAX),
        website=text(char, labels.WEBSITE_CHARS_MAX),
        kvk=tuple(f"{10_000_000 + n}" for n in range(limits.KVK_MAX)),
        labels=tuple(holding_at_limits(n, char) for n in range(limits.HOLDINGS_MAX)),
        themes=tuple(text(char, labels.THEME_CHARS_MAX, n) for n in range(limits.THEMES_MAX)),
        listed=True,
        listed_since=WHEN,
        grace_until=date(9999, 12, 31),
        summary=text(char, labels.SUMMARY_CHARS_MAX),
        summary_label="senl",
        categories=tuple("c" * 60 for _ in range(limits.CATEGORIES_MAX)),
        supplement=supplement_at_limits(char if char.isprintable() else "x"),
    )


def updated(state: EnterpriseState) -> EnterpriseUpdated:
    changes = tuple("c" * 40 for _ in range(limits.CHANGES_MAX))
    return EnterpriseUpdated(
        event_id="i" * 64, occurred_at=WHEN, source="s" * 200, enterprise=state, changes=changes
    )


def size(event: EnterpriseUpdated | EnterpriseListed) -> int:
    return len(event.model_dump_json().encode())


def test_an_event_at_every_limit_in_plain_text_is_far_below_the_budget() -> None:
    assert size(updated(state_at_limits("x"))) < EVENT_BYTES_BUDGET * 3 // 4


def test_an_event_at_every_limit_in_accented_text_is_below_the_budget() -> None:
    assert size(updated(state_at_limits("é"))) < EVENT_BYTES_BUDGET


def test_even_text_that_json_escapes_six_bytes_a_character_stays_below_half_the_max_payload() -> (
    None
):
    assert size(updated(state_at_limits("\x01"))) < MAX_PAYLOAD // 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kvk", tuple(f"{n + 1:08d}" for n in range(limits.KVK_MAX + 1))),
        ("themes", tuple(f"thema {n}" for n in range(limits.THEMES_MAX + 1))),
        ("name", "n" * (labels.NAME_CHARS_MAX + 1)),
        ("website", "https://" + "w" * labels.WEBSITE_CHARS_MAX),
        ("summary", "s" * (labels.SUMMARY_CHARS_MAX + 1)),
        ("categories", ("c",) * (limits.CATEGORIES_MAX + 1)),
    ],
)
def test_a_state_beyond_a_limit_is_refused_naming_the_field(field: str, value: object) -> None:
    data = state_at_limits("x").model_dump()
    with pytest.raises(ValidationError, match=field):
        EnterpriseState.model_validate({**data, field: value})


def test_a_state_with_more_holdings_than_the_limit_is_refused() -> None:
    data = state_at_limits("x").model_dump()
    extra = holding_at_limits(limits.HOLDINGS_MAX, "x").model_dump()
    with pytest.raises(ValidationError, match="labels"):
        EnterpriseState.model_validate({**data, "labels": [*data["labels"], extra]})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kvk", tuple(f"{n + 1:08d}" for n in range(labels.KVK_PER_HOLDING_MAX + 1))),
        ("kvk", ("1" * 21,)),
        ("themes", tuple(f"thema {n}" for n in range(labels.THEMES_PER_HOLDING_MAX + 1))),
        ("themes", ("t" * (labels.THEME_CHARS_MAX + 1),)),
    ],
)
def test_an_observation_beyond_a_limit_is_refused_naming_the_field(
    field: str, value: object
) -> None:
    facts: dict[str, Any] = {field: value}
    with pytest.raises(ValidationError, match=field):
        observation(**facts)


def crowded(n: int) -> Observation:
    """A holding at its own limits that shares one KvK number with every other."""
    kvk = ("06123456", *(f"{n + 10:02d}{k:06d}" for k in range(labels.KVK_PER_HOLDING_MAX - 1)))
    return observation(
        f"PSO-2024-{n:04d}",
        label=LABELS[n % len(LABELS)],
        kvk=kvk,
        themes=tuple(f"thema {n}-{t}" for t in range(labels.THEMES_PER_HOLDING_MAX)),
        source_url="https://register.example.nl/" + "p" * 900 + f"/{n}",
    )


def test_valid_label_events_merged_beyond_the_limits_give_valid_events_within_them() -> None:
    database = FakeDatabase()
    for n in range(limits.HOLDINGS_MAX + 3):
        label_event = granted(crowded(n), at(n))
        record_label_event(label_event, FakeUnitOfWork(database), TODAY, source="test")
    assert len(database.enterprises) == 1
    [enterprise] = database.enterprises.values()
    assert len(enterprise.holdings) == limits.HOLDINGS_MAX + 3
    events = [ENTERPRISE_EVENT.validate_json(message.payload) for message in database.outbox]
    assert all(len(message.payload.encode()) < EVENT_BYTES_BUDGET for message in database.outbox)
    state = events[-1].enterprise
    assert len(state.labels) == limits.HOLDINGS_MAX
    assert len(state.kvk) == limits.KVK_MAX and len(state.themes) == limits.THEMES_MAX
    # The holdings verified last are kept, shown by key as ever.
    newest = sorted(enterprise.holdings.values(), key=lambda h: h.last_event_at)[3:]
    assert {h.holding_id for h in state.labels} == {h.observation.holding_id for h in newest}
    assert list(state.labels) == sorted(state.labels, key=lambda h: (h.label, h.holding_id))


def test_stored_documents_from_before_the_limits_are_read_within_them() -> None:
    state: dict[str, Any] = state_at_limits("x").model_dump(mode="json")
    state["kvk"] = [f"{n + 1:08d}" for n in range(limits.KVK_MAX * 2)]
    loaded = load_state(json.dumps(state))
    assert loaded.kvk == tuple(f"{n + 1:08d}" for n in range(limits.KVK_MAX))
    obs: dict[str, Any] = observation().model_dump(mode="json")
    obs["themes"] = [f"thema {n}" for n in range(labels.THEMES_PER_HOLDING_MAX + 5)]
    assert len(load_observation(json.dumps(obs)).themes) == (labels.THEMES_PER_HOLDING_MAX)


def test_a_stored_document_invalid_for_another_reason_is_still_refused() -> None:
    obs: dict[str, Any] = observation().model_dump(mode="json")
    obs["name"] = ""
    with pytest.raises(ValidationError, match="name"):
        load_observation(json.dumps(obs))


@pytest.mark.parametrize("where", ["name", "website", "themes"])
def test_an_event_with_a_nul_character_anywhere_is_refused(where: str) -> None:
    """No page or form yields a NUL and no database of ours stores one: such an event is
    invalid at once (dead-lettered by its reader), never retried until it runs out."""
    data = listed_event_json()
    state = data["enterprise"]
    state[where] = ["a\x00b"] if where == "themes" else "a\x00b"
    with pytest.raises(ValidationError, match="NUL"):
        EnterpriseListed.model_validate_json(json.dumps(data))


def listed_event_json() -> dict[str, Any]:
    event = EnterpriseListed(
        event_id="nul-test-0001",
        occurred_at=WHEN,
        source="test",
        enterprise=state_at_limits("x"),
    )
    return dict(json.loads(event.model_dump_json()))
