"""The registry app takes supplements and sign-in requests from their real streams, on
SQLite and PostgreSQL, and answers through its outbox on ENTERPRISES and SIGNINS."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nats
import pytest
from faststream import TestApp

from contracts.base import deterministic_id
from contracts.enterprises import EnterpriseUpdated
from contracts.signin import SignInGranted, SignInRequested
from contracts.subjects import (
    ENTERPRISES_STREAM,
    SIGNINS_STREAM,
    SUPPLEMENTS_STREAM,
    StreamSpec,
    signin_subject,
    supplement_subject,
)
from contracts.supplements import Supplement, SupplementSubmitted
from services.registry.adapters.database import make_engine
from services.registry.adapters.publisher import ENTERPRISE_EVENT
from services.registry.adapters.unit_of_work import SqlUnitOfWork
from services.registry.config import RegistrySettings
from services.registry.main import create_app
from tests.integration.registry.test_registry_app import _publish_labels
from tests.unit.registry.factories import at, granted, observation

pytestmark = pytest.mark.integration


def _settings(nats_url: str, database_url: str, tmp_path: Path) -> RegistrySettings:
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("kvk,website,email\n06123456,,directie@voorbeeld.example\n")
    return RegistrySettings(
        nats_url=nats_url,
        database_url=database_url,
        data_dir=tmp_path,
        outbox_poll_seconds=0.5,
        source="registry-test",
        pdok_base_url="",
        registry_contacts_file=contacts,
    )


async def _publish(url: str, subject: str, stream: StreamSpec, payload: bytes, msg_id: str) -> None:
    nc = await nats.connect(url)
    try:
        await nc.jetstream().publish(
            subject, payload, stream=stream.name, headers={"Nats-Msg-Id": msg_id}
        )
    finally:
        await nc.close()


async def _messages(url: str, stream: StreamSpec, count: int) -> list[tuple[str, bytes]]:
    """Wait (up to 20 s) until the stream holds `count` messages; all of them."""
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        for _ in range(400):
            if (await js.stream_info(stream.name)).state.messages >= count:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        state = (await js.stream_info(stream.name)).state
        found = []
        for seq in range(state.first_seq, state.last_seq + 1):
            msg = await js.get_msg(stream.name, seq)
            found.append((str(msg.subject), msg.data or b""))
        return found
    finally:
        await nc.close()


def _request(email: str, enterprise_id: str, n: int) -> SignInRequested:
    return SignInRequested(
        event_id=deterministic_id("sign-in", email, n),
        occurred_at=at(n),
        source="gateway",
        enterprise_id=enterprise_id,
        email=email,
    )


async def test_a_submitted_supplement_comes_out_as_the_enterprise_s_new_state(
    nats_streams: str, database_url: str, tmp_path: Path
) -> None:
    await _publish_labels(nats_streams, granted(observation()))
    async with TestApp(create_app(_settings(nats_streams, database_url, tmp_path))):
        ((_, payload),) = await _messages(nats_streams, ENTERPRISES_STREAM, 1)
        enterprise_id = ENTERPRISE_EVENT.validate_json(payload).enterprise.enterprise_id
        submitted = SupplementSubmitted(
            event_id="supplement-0001",
            occurred_at=at(1),
            source="gateway",
            enterprise_id=enterprise_id,
            submitted_by="inkoop@kringlooptwente.nl",
            supplement=Supplement(description="Lunches op locatie.", categories=("catering",)),
        )
        body = submitted.model_dump_json().encode()
        await _publish(nats_streams, supplement_subject(), SUPPLEMENTS_STREAM, body, "s1")
        messages = await _messages(nats_streams, ENTERPRISES_STREAM, 2)
    subject, payload = messages[-1]
    updated = ENTERPRISE_EVENT.validate_json(payload)
    assert isinstance(updated, EnterpriseUpdated)
    assert subject == "impact.v1.enterprises.overijssel.twente.updated"
    assert updated.enterprise.supplement is not None
    assert updated.enterprise.supplement.description == "Lunches op locatie."
    assert updated.enterprise.categories == ("catering",)
    assert updated.enterprise.categories_chosen
    engine = make_engine(database_url)
    try:
        with SqlUnitOfWork(engine) as uow:
            (change,) = uow.claims.changes(enterprise_id)
    finally:
        engine.dispose()
    assert (change.changed_by, change.fields) == (
        "inkoop@kringlooptwente.nl",
        ("description", "categories"),
    )


async def test_sign_in_requests_are_granted_or_become_claims(
    nats_streams: str, database_url: str, tmp_path: Path
) -> None:
    await _publish_labels(nats_streams, granted(observation()))
    settings = _settings(nats_streams, database_url, tmp_path)
    async with TestApp(create_app(settings)):
        ((_, payload),) = await _messages(nats_streams, ENTERPRISES_STREAM, 1)
        enterprise_id = ENTERPRISE_EVENT.validate_json(payload).enterprise.enterprise_id
        asks = [
            _request("directie@voorbeeld.example", enterprise_id, 1),
            _request("inkoop@kringlooptwente.nl", enterprise_id, 2),
            _request("iemand@elders.example", enterprise_id, 3),
        ]
        for ask in asks:
            body = ask.model_dump_json().encode()
            await _publish(
                nats_streams, signin_subject("requested"), SIGNINS_STREAM, body, ask.event_id
            )
        messages = await _messages(nats_streams, SIGNINS_STREAM, 5)
    grants = [
        SignInGranted.model_validate_json(data)
        for subject, data in messages
        if subject == signin_subject("granted")
    ]
    assert sorted((g.email, g.trusted_by) for g in grants) == [
        ("directie@voorbeeld.example", "contacts_file"),
        ("inkoop@kringlooptwente.nl", "website_domain"),
    ]
    engine = make_engine(database_url)
    try:
        with SqlUnitOfWork(engine) as uow:
            claims = uow.claims.pending()
    finally:
        engine.dispose()
    assert [(c.enterprise_id, c.email) for c in claims] == [
        (enterprise_id, "iemand@elders.example")
    ]
