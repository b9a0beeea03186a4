"""The delivery record also works on PostgreSQL: one row per event, attempts counted."""

from __future__ import annotations

import uuid

import pytest

from services.notifier.deliveries import Deliveries

pytestmark = pytest.mark.integration


def test_a_delivery_is_recorded_once_per_event_on_postgres(postgres_url: str) -> None:
    deliveries = Deliveries(postgres_url)
    deliveries.create_tables()
    event_id = uuid.uuid4().hex
    fields = {"enterprise_id": "e1", "kind": "listed", "message_id": f"<{event_id}@impactoost>"}
    try:
        deliveries.record(
            event_id, **fields, recipient="a@b.example", status="retrying", attempted=True
        )
        deliveries.record(
            event_id, **fields, recipient="a@b.example", status="sent", attempted=True
        )
        row = deliveries.get(event_id)
    finally:
        deliveries.dispose()
    assert row is not None
    assert (row.status, row.attempts) == ("sent", 2)
    assert row.sent_at is not None and row.sent_at.tzinfo is not None
