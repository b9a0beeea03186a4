"""The operator hears of dead letters: the notifier (as its own NATS user) records each new
one once and mails one Dutch plain-text digest per interval at most; with no operator
address it mails nothing and keeps nothing."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path

import nats
import pytest
from nats.js.errors import NotFoundError
from sqlmodel import Session, select

from contracts.deadletters import DeadLetterKind
from contracts.subjects import DEADLETTERS_STREAM
from services.kit.deadletters import DeadLetter, put_dead_letter
from services.kit.nats_users import NOTIFIER_DEADLETTERS
from services.kit.settings import ConfigError, load_settings
from services.kit.streams import ensure_streams
from services.notifier.bootstrap import bootstrap
from services.notifier.config import NotifierSettings
from services.notifier.deliveries import Deliveries
from services.notifier.main import create_app
from services.notifier.operator_digest import OperatorDeadLetter, OperatorLetters, SeenLetter
from services.notifier.operator_watch import operator_digester
from services.notifier.schema import migrate
from tests.fixtures.servers import NatsUsers, SmtpSink, own_database, running_nats
from tests.integration.notifier.helpers import eventually

pytestmark = pytest.mark.integration

OPERATOR = "beheer@impactoost.example"
START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def users(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsUsers]:
    with running_nats(tmp_path_factory.mktemp("digest-nats")) as found:
        yield found


@pytest.fixture
async def tester(users: NatsUsers) -> AsyncIterator[nats.js.JetStreamContext]:
    """A new, empty DEADLETTERS stream (no durable), and the tests' superuser on it."""
    client = await nats.connect(users.url())
    js = client.jetstream()
    with contextlib.suppress(NotFoundError):
        await js.delete_stream(DEADLETTERS_STREAM.name)
    await ensure_streams(users.url(), [DEADLETTERS_STREAM])
    yield js
    await client.close()


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def notifier_settings(
    users: NatsUsers, smtp: SmtpSink, tmp_path: Path, operator: str | None
) -> NotifierSettings:
    return NotifierSettings(
        nats_url=users.url("notifier"),
        data_dir=tmp_path / "var",
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        mail_from="Impact Oost <noreply@impactoost.example>",
        public_base_url="http://impactoost.example",
        notifier_retry_seconds=0.3,
        operator_email=operator,
        operator_digest_minutes=60,
    )


async def put(
    js: nats.js.JetStreamContext, consumer: str, sequence: int, kind: DeadLetterKind
) -> None:
    await put_dead_letter(
        js,
        DeadLetter(
            service="notifier",
            consumer=consumer,
            kind=kind,
            reason="ValueError: \x1b[31mred\x1b[0m year 10000 is out of range",
            subject="impact.v1.enterprises.overijssel.twente.listed",
            body=b"{}",
            headers={"Nats-Msg-Id": f"evt-{consumer}-{sequence}"},
            stream="ENTERPRISES",
            sequence=sequence,
            deliveries=5,
        ),
    )


def rows(settings: NotifierSettings) -> list[OperatorDeadLetter]:
    deliveries = Deliveries(settings.database_url)
    try:
        with Session(deliveries.engine) as session:
            return list(session.exec(select(OperatorDeadLetter)))
    finally:
        deliveries.dispose()


def text_of(message: Message) -> str:
    assert not message.is_multipart(), "the digest is plain text"
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")


async def test_new_dead_letters_reach_the_operator_in_one_dutch_digest(
    tester: nats.js.JetStreamContext, users: NatsUsers, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    settings = notifier_settings(users, smtp_sink, tmp_path, OPERATOR)
    kinds: list[tuple[int, DeadLetterKind]] = [(1, "exhausted"), (2, "exhausted"), (3, "invalid")]
    for sequence, kind in kinds:
        await put(tester, "notifier-mail", sequence, kind)
    await put(tester, "notifier-alerts", 9, "undecodable")

    async with create_app(settings):
        await eventually(lambda: len(smtp_sink.messages_to(OPERATOR)) == 1, "the digest")
        await put(tester, "notifier-mail", 4, "exhausted")
        await eventually(lambda: len(rows(settings)) == 5, "the fifth letter recorded")

    [digest] = smtp_sink.messages_to(OPERATOR)
    assert digest["Subject"] == "Impact Oost: 4 onverwerkbare berichten"
    body = text_of(digest)
    assert "Geachte beheerder," in body
    assert "notifier/notifier-mail  exhausted  2" in body
    assert "notifier/notifier-mail  invalid  1" in body
    assert "notifier/notifier-alerts  undecodable  1" in body
    assert "impactoost dlq list" in body
    assert "evt-notifier-mail-1" in body and "impact.v1.enterprises.overijssel.twente" in body
    assert "\x1b" not in body and "\\x1b[31mred" in body
    told = {row.event_id: row.told_at is not None for row in rows(settings)}
    assert told == {
        "evt-notifier-mail-1": True,
        "evt-notifier-mail-2": True,
        "evt-notifier-mail-3": True,
        "evt-notifier-alerts-9": True,
        "evt-notifier-mail-4": False,
    }


def test_a_digest_goes_out_at_most_once_per_interval(tmp_path: Path, smtp_sink: SmtpSink) -> None:
    settings = NotifierSettings(
        data_dir=tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=smtp_sink.port,
        operator_email=OPERATOR,
        operator_digest_minutes=60,
    )
    clock = Clock()
    notifier = bootstrap(settings, clock=clock)
    migrate(notifier.deliveries.engine)
    digester = operator_digester(notifier, settings)
    assert digester is not None
    letters = OperatorLetters(notifier.deliveries.engine)

    letters.record([seen("dead-1", 1), seen("dead-2", 2)], clock.now)
    assert digester.send_if_due() == 2
    letters.record([seen("dead-3", 3)], clock.now)
    clock.now = START + timedelta(minutes=59)
    assert digester.send_if_due() == 0
    clock.now = START + timedelta(minutes=60)
    assert digester.send_if_due() == 1
    assert digester.send_if_due() == 0

    mails = {m["Subject"]: text_of(m) for m in smtp_sink.messages_to(OPERATOR)}
    assert sorted(mails) == [
        "Impact Oost: 1 onverwerkbare bericht",
        "Impact Oost: 2 onverwerkbare berichten",
    ]
    assert "is 1 bericht opzijgezet" in mails["Impact Oost: 1 onverwerkbare bericht"]
    notifier.deliveries.dispose()


def seen(letter_id: str, sequence: int) -> SeenLetter:
    return SeenLetter(
        letter_id, sequence, "registry", "outbox", "unpublishable", "s", "e", "too big", START
    )


async def test_without_an_operator_address_nothing_is_mailed_and_nothing_kept(
    tester: nats.js.JetStreamContext, users: NatsUsers, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    settings = notifier_settings(users, smtp_sink, tmp_path, None)
    for sequence in (1, 2, 3):
        await put(tester, "notifier-mail", sequence, "exhausted")

    async def taken_all() -> bool:
        with contextlib.suppress(NotFoundError):
            info = await tester.consumer_info(DEADLETTERS_STREAM.name, NOTIFIER_DEADLETTERS)
            return info.ack_floor.stream_seq == 3 and not info.num_ack_pending
        return False

    async with create_app(settings):
        for _ in range(400):
            if await taken_all():
                break
            await asyncio.sleep(0.05)
        assert await taken_all()

    assert rows(settings) == []
    assert smtp_sink.messages() == []


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'notifier.db'}"
        return
    with own_database(request.getfixturevalue("postgres_url"), "digest") as url:
        yield url


def test_a_letter_seen_twice_is_recorded_once_and_told_once(database_url: str) -> None:
    deliveries = Deliveries(database_url)
    migrate(deliveries.engine)
    letters = OperatorLetters(deliveries.engine)
    try:
        assert letters.record([seen("dead-1", 7), seen("dead-1", 7)], START) == 1
        assert letters.record([seen("dead-1", 7), seen("dead-2", 2**40)], START) == 1
        assert [one.sequence for one in letters.untold()] == [7, 2**40]
        letters.mark_told(["dead-1", "dead-2"], START + timedelta(minutes=1))

        assert letters.untold() == []
        assert letters.last_told_at() == START + timedelta(minutes=1)
        assert letters.forget_told(START + timedelta(days=31)) == 2
        assert letters.last_told_at() is None
    finally:
        deliveries.dispose()


def test_an_operator_address_must_be_a_bare_address() -> None:
    for wrong in ("beheer", "Beheer <beheer@impactoost.example>", "a@b.nl,c@d.nl", "a@localhost"):
        with pytest.raises(ConfigError, match="IMPACTOOST_OPERATOR_EMAIL"):
            load_settings(NotifierSettings, operator_email=wrong)
    assert load_settings(NotifierSettings, operator_email="").operator_email is None
