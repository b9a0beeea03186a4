"""The digest task: a confirmed alert's ended period is published when it held changes that
match, then recorded as done; an empty period publishes nothing; a failed publish is retried
as the same period under the same id."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from contracts.alerts import AlertDigestReady
from contracts.enterprises import EnterpriseEvent
from services.gateway.alerts.digest import send_due_digests
from services.gateway.alerts.tables import AlertRow
from services.gateway.handlers import record_enterprise_event
from tests.unit.gateway.alert_support import PUBLIC, AlertGateway, alert_gateway
from tests.unit.gateway.events import delisted, holding, listed

pytestmark = pytest.mark.unit
# Monday 2 March 2026, 10:00 in Amsterdam; the next daily period ends on Tuesday 07:00 (06:00Z).
CONFIRMED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TUESDAY_END = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)


def at(event: EnterpriseEvent, hour: int, day: int = 2) -> EnterpriseEvent:
    return event.model_copy(update={"occurred_at": datetime(2026, 3, day, hour, tzinfo=UTC)})


def project(gateway: AlertGateway, *events: EnterpriseEvent) -> None:
    for event in events:
        record_enterprise_event(gateway.app.state.engine, event)


def digests(gateway: AlertGateway) -> list[AlertDigestReady]:
    return [e for e in gateway.publisher.events if isinstance(e, AlertDigestReady)]


def row(gateway: AlertGateway) -> AlertRow:
    with Session(gateway.app.state.engine) as session:
        return session.exec(select(AlertRow)).one()


async def confirmed_alert(gateway: AlertGateway, **fields: Any) -> None:
    gateway.clock.now = CONFIRMED
    await gateway.subscribe(frequency="daily", **fields)
    await gateway.confirm(gateway.confirmations()[-1])


async def test_a_period_with_changes_is_published_once_and_recorded(tmp_path: Path) -> None:
    async with alert_gateway(tmp_path) as gateway:
        await confirmed_alert(gateway, category="catering", region="Twente")
        project(
            gateway,
            at(listed("before", name="Al Vermeld", categories=("catering",)), 8),
            at(listed("kringloop", categories=("catering",)), 12),
            at(listed("elders", region="Achterhoek", categories=("catering",)), 12),
            at(listed("wasserij", categories=("wasserij",)), 13),
            at(delisted("before", name="Al Vermeld", categories=("catering",)), 14),
        )
        gateway.clock.now = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)
        assert await send_due_digests(gateway.alerts) == 1
        assert await send_due_digests(gateway.alerts) == 0
        [digest] = digests(gateway)
        stored = row(gateway)
    assert [(e.enterprise_id, e.change, e.reason) for e in digest.entries] == [
        ("kringloop", "joined", None),
        ("before", "left", "label_lapsed"),
    ]
    assert (digest.period_start, digest.period_end) == (CONFIRMED, TUESDAY_END)
    assert digest.entries[0].url == f"{PUBLIC}/ondernemingen/kringloop"
    assert digest.search_url == f"{PUBLIC}/?category=catering&region=Twente"
    assert digest.unsubscribe_url.startswith(f"{PUBLIC}/meldingen/afmelden?token=")
    assert (stored.period_end, stored.sending_end) == (TUESDAY_END, None)


async def test_an_empty_period_publishes_nothing_and_is_done(tmp_path: Path) -> None:
    async with alert_gateway(tmp_path) as gateway:
        await confirmed_alert(gateway, region="Achterhoek")
        project(gateway, at(listed("kringloop"), 12))
        gateway.clock.now = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)
        assert await send_due_digests(gateway.alerts) == 0
        assert digests(gateway) == []
        assert row(gateway).period_end == TUESDAY_END


async def test_nothing_is_sent_before_the_period_ends(tmp_path: Path) -> None:
    async with alert_gateway(tmp_path) as gateway:
        await confirmed_alert(gateway)
        project(gateway, at(listed("kringloop"), 12))
        gateway.clock.now = datetime(2026, 3, 3, 5, 59, tzinfo=UTC)
        assert await send_due_digests(gateway.alerts) == 0
        assert row(gateway).period_end == CONFIRMED


async def test_an_unconfirmed_alert_gets_no_digest(tmp_path: Path) -> None:
    async with alert_gateway(tmp_path) as gateway:
        gateway.clock.now = CONFIRMED
        await gateway.subscribe(frequency="daily")
        project(gateway, at(listed("kringloop"), 12))
        gateway.clock.now = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)
        assert await send_due_digests(gateway.alerts) == 0


async def test_a_failed_publish_is_retried_as_the_same_period_under_the_same_id(
    tmp_path: Path,
) -> None:
    async with alert_gateway(tmp_path) as gateway:
        await confirmed_alert(gateway)
        project(gateway, at(listed("kringloop"), 12), at(listed("later"), 12, day=4))
        gateway.clock.now = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)
        gateway.publisher.available = False
        assert await send_due_digests(gateway.alerts) == 0
        assert row(gateway).sending_end == TUESDAY_END
        gateway.clock.now = datetime(2026, 3, 5, 6, 30, tzinfo=UTC)
        gateway.publisher.available = True
        assert await send_due_digests(gateway.alerts) == 1
        [first] = digests(gateway)
        assert first.period_end == TUESDAY_END
        assert [e.enterprise_id for e in first.entries] == ["kringloop"]
        assert await send_due_digests(gateway.alerts) == 1
        second = digests(gateway)[1]
    assert [e.enterprise_id for e in second.entries] == ["later"]
    assert second.event_id != first.event_id


async def test_a_long_period_names_the_first_entries_and_counts_the_rest(tmp_path: Path) -> None:
    async with alert_gateway(tmp_path, gateway_alert_max_entries=2) as gateway:
        await confirmed_alert(gateway)
        project(gateway, *(at(listed(f"e{n}", name=f"Onderneming {n}"), 10 + n) for n in range(3)))
        gateway.clock.now = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)
        await send_due_digests(gateway.alerts)
        [digest] = digests(gateway)
    assert [e.name for e in digest.entries] == ["Onderneming 0", "Onderneming 1"]
    assert digest.more == 1


async def test_a_departure_by_a_lapsed_label_is_in_that_labels_search(tmp_path: Path) -> None:
    async with alert_gateway(tmp_path) as gateway:
        await confirmed_alert(gateway, label="senl")
        senl = (holding("senl", status="lid", level="lid", valid_until=None),)
        lapsed = (holding("senl", status="lid", level="lid", valid_until=None, counts=False),)
        project(
            gateway,
            at(listed("lid", labels=senl), 8),
            at(delisted("lid", labels=lapsed), 12),
            at(listed("pso-only"), 12),
        )
        gateway.clock.now = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)
        await send_due_digests(gateway.alerts)
        [digest] = digests(gateway)
    assert [(e.enterprise_id, e.change) for e in digest.entries] == [("lid", "left")]
