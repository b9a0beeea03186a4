"""A registry killed between its commit and its ack: nothing lost, nothing doubled."""

from __future__ import annotations

import json
import mailbox
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from contracts.base import deterministic_id
from contracts.labels import LabelGranted, Observation
from contracts.subjects import LABELS_STREAM, label_subject
from services.demo.platform import Platform
from services.kit.nats_access import connect
from services.kit.processes import free_port
from services.kit.streams import ensure_streams
from tests.e2e.conftest import consumer_settled, eventually, stream_messages

pytestmark = pytest.mark.e2e


def _granted() -> LabelGranted:
    today = datetime.now(UTC).date()
    observation = Observation(
        label="pso",
        holding_id="PSO-2025-0042",
        name="Groenwerk Achterhoek B.V.",
        place="Doetinchem",
        kvk=("09123456",),
        website="https://groenwerkachterhoek.nl/",
        level="trede-2",
        status="gecertificeerd",
        valid_from=today - timedelta(days=100),
        valid_until=today + timedelta(days=600),
        counts=True,
        source_url="http://127.0.0.1/pso-register/certificaat/PSO-2025-0042",
    )
    return LabelGranted(
        event_id=deterministic_id("pso", "PSO-2025-0042", "granted", 1),
        occurred_at=datetime.now(UTC),
        source="test",
        observation=observation,
    )


async def _publish_twice(nats_url: str, event: LabelGranted) -> None:
    """The same event twice, the second under another message id (as a producer that
    restarted outside the duplicate window would send it)."""
    nc = await connect(nats_url)
    js = nc.jetstream()
    payload = event.model_dump_json().encode()
    subject = label_subject("pso", "granted")
    for msg_id in (event.event_id, f"{event.event_id}-again"):
        await js.publish(
            subject, payload, stream=LABELS_STREAM.name, headers={"Nats-Msg-Id": msg_id}
        )
    await nc.close()


async def test_registry_killed_after_commit_before_ack_changes_state_once(tmp_path: Path) -> None:
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("kvk,website,email\n09123456,,planning@groenwerkachterhoek.example\n")
    platform = Platform(
        data_dir=tmp_path / "platform",
        gateway_port=free_port(),
        demo_sites=False,
        services=("notifier",),
        env={
            "IMPACTOOST_NOTIFIER_CONTACTS_FILE": str(contacts),
            "IMPACTOOST_ACK_WAIT_SECONDS": "2",
            "IMPACTOOST_MAIL_QUIET_SECONDS": "0",
        },
    ).start()
    try:
        await ensure_streams(platform.url_for("admin"), [LABELS_STREAM])
        await _publish_twice(platform.url_for("scraper"), _granted())

        platform.start_service(
            "registry", {"IMPACTOOST_FAILPOINTS": json.dumps(["registry.after_commit"])}
        )
        killed = platform.processes["registry"]
        assert killed.wait(timeout=60) == -9, "the registry should die at its failpoint"

        platform.start_service("registry")
        url = platform.url_for("admin")
        await eventually(
            lambda: consumer_settled(url, "LABELS", "registry-labels"),
            60,
            "the registry to process both copies",
        )
        await eventually(
            lambda: consumer_settled(url, "ENTERPRISES", "notifier-mail"),
            60,
            "the notifier to process the enterprise events",
        )

        assert await stream_messages(url, "ENTERPRISES") == 1

        async def mailed() -> bool:  # the notifier's sender mails after taking the event in
            return len(mailbox.Maildir(platform.maildir, create=False)) > 0

        await eventually(mailed, 30, "the welcome mail")
        messages = list(mailbox.Maildir(platform.maildir, create=False))
        assert len(messages) == 1
        assert messages[0]["To"] == "planning@groenwerkachterhoek.example"
        assert "zichtbaar" in messages[0]["Subject"]
    finally:
        platform.stop()
