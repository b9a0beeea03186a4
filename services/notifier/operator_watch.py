"""The notifier watching the dead-letter stream for the operator: its durable
`notifier-deadletters` records each new dead letter, and the digester mails the operator
at most once per interval about those not told yet.

Without `IMPACTOOST_OPERATOR_EMAIL` the durable still takes every letter and records
nothing: no row piles up for a digest that never goes out, and no backlog on the durable.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

import structlog

from contracts import deadletters as dead
from contracts.base import deterministic_id
from contracts.subjects import DEAD_LETTER_PREFIX, DEADLETTERS_STREAM
from services.kit.batches import BatchConsumer, Delivery, HandleBatch
from services.kit.nats_users import NOTIFIER_DEADLETTERS
from services.notifier.bootstrap import Notifier
from services.notifier.config import NotifierSettings
from services.notifier.mailer import MailDeferred, Mailer, MailRejected
from services.notifier.operator_digest import (
    KEEP_TOLD,
    OperatorLetters,
    SeenLetter,
    digest_mail,
)

log = structlog.get_logger()
LETTER_BATCH = 100
CHECK_SECONDS = 30.0
RETRY_AFTER_FAILURE = timedelta(minutes=5)


def seen_letter(
    headers: Mapping[str, str], subject: str, sequence: int, delivered_at: datetime
) -> SeenLetter:
    """A dead letter's facts from its headers; from its subject (`…<service>.<consumer>`)
    and delivery where a header is missing. Never raises: every letter is counted."""
    tokens = subject.split(".")
    service = headers.get(dead.SERVICE) or (tokens[2] if len(tokens) > 3 else "")
    consumer = headers.get(dead.CONSUMER) or (tokens[3] if len(tokens) > 3 else "")
    return SeenLetter(
        letter_id=headers.get("Nats-Msg-Id") or deterministic_id("dead-seq", sequence),
        sequence=sequence,
        service=service,
        consumer=consumer,
        kind=headers.get(dead.KIND, ""),
        subject=headers.get(dead.SUBJECT, ""),
        event_id=headers.get(dead.ORIGINAL_ID, ""),
        reason=headers.get(dead.REASON, ""),
        dead_at=_moment(headers.get(dead.DEAD_AT)) or delivered_at,
    )


def dead_letter_consumer(
    notifier: Notifier,
    settings: NotifierSettings,
    recorded: Callable[[], None] = lambda: None,
) -> BatchConsumer[bytes]:
    """The durable consumer of every dead letter, for the operator's digest; `recorded` is
    called when new letters were recorded (the digester's wake-up)."""
    spec = settings.consumer_spec(
        stream=DEADLETTERS_STREAM,
        subject=f"{DEAD_LETTER_PREFIX}.>",
        durable=NOTIFIER_DEADLETTERS,
        batch_size=LETTER_BATCH,
        title="notifier-deadletters:on_dead_letter",
        description="Records each new dead letter for the operator's e-mail digest (with "
        "IMPACTOOST_OPERATOR_EMAIL; without it, takes each and keeps nothing). Read from its "
        "headers (contracts/deadletters.py); the body is the original message's, any bytes.",
    )
    letters = OperatorLetters(notifier.deliveries.engine) if settings.operator_email else None
    handle = record_letters(letters, notifier.clock, recorded)
    return BatchConsumer(settings.nats(), spec, bytes, handle, schema=bytes)


def record_letters(
    letters: OperatorLetters | None,
    clock: Callable[[], datetime],
    recorded: Callable[[], None] = lambda: None,
) -> HandleBatch[bytes]:
    """Record a batch of letters in one transaction (with no operator address: nothing);
    a letter's facts are its headers, its body is the original message's, any bytes."""

    async def handle(deliveries: Sequence[Delivery[bytes]]) -> list[Exception | None]:
        if letters is None:
            return [None] * len(deliveries)
        now = clock()
        seen = [
            seen_letter(d.headers, d.subject, d.stream_sequence, d.stored_at or now)
            for d in deliveries
        ]
        try:
            new = await asyncio.to_thread(letters.record, seen, now)
        except Exception as exc:  # the database away: every letter is taken again later
            return [exc] * len(deliveries)
        if new:
            recorded()
        return [None] * len(deliveries)

    return handle


class OperatorDigester:
    """Mails the digest of untold letters when one is due; runs between `start` and `stop`."""

    def __init__(
        self,
        letters: OperatorLetters,
        mailer: Mailer,
        *,
        recipient: str,
        every: timedelta,
        platform: str,
        domain: str,
        clock: Callable[[], datetime],
        check_seconds: float = CHECK_SECONDS,
    ) -> None:
        self.letters, self.mailer, self.recipient = letters, mailer, recipient
        self.every, self.platform, self.domain, self.clock = every, platform, domain, clock
        self.check_seconds = check_seconds
        self._retry_after: datetime | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._woken = asyncio.Event()

    def wake(self) -> None:
        """Look now whether a digest is due, rather than at the next check."""
        self._woken.set()

    def send_if_due(self) -> int:
        """Send one digest if letters wait and the last went out an interval ago; how many
        letters it named (blocking: call it in a thread)."""
        now = self.clock()
        if self._retry_after is not None and now < self._retry_after:
            return 0
        last = self.letters.last_told_at()
        if last is not None and now < last + self.every:
            return 0
        self.letters.forget_told(now - KEEP_TOLD)
        untold = self.letters.untold()
        if not untold:
            return 0
        mail = digest_mail(
            untold, recipient=self.recipient, platform=self.platform, domain=self.domain
        )
        try:
            self.mailer.send(mail)
        except (MailDeferred, MailRejected) as exc:
            self._retry_after = now + min(self.every, RETRY_AFTER_FAILURE)
            rejected = isinstance(exc, MailRejected)
            (log.error if rejected else log.warning)(
                "operator_digest_not_sent", letters=len(untold), error=str(exc)
            )
            return 0
        self.letters.mark_told([letter.letter_id for letter in untold], now)
        log.info("operator_digest_sent", letters=len(untold))
        return len(untold)

    async def start(self) -> None:
        """Start the background task (once)."""
        if self._task is None:
            self._stopping.clear()
            self._task = asyncio.create_task(self._run(), name="notifier-operator-digest")

    async def stop(self) -> None:
        """Stop after the digest in progress, if any."""
        task, self._task = self._task, None
        if task is not None:
            self._stopping.set()
            self._woken.set()
            await task

    async def _run(self) -> None:
        while not self._stopping.is_set():
            self._woken.clear()
            try:
                await asyncio.to_thread(self.send_if_due)
            except Exception as exc:  # the database away: tried again on the next pass
                log.warning("operator_digest_failed", error=f"{type(exc).__name__}: {exc}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), self.check_seconds)


def operator_digester(notifier: Notifier, settings: NotifierSettings) -> OperatorDigester | None:
    """The digester, when an operator address is configured."""
    if not settings.operator_email:
        return None
    return OperatorDigester(
        OperatorLetters(notifier.deliveries.engine),
        notifier.mailer,
        recipient=settings.operator_email,
        every=timedelta(minutes=settings.operator_digest_minutes),
        platform=settings.platform_name,
        domain=notifier.message_domain,
        clock=notifier.clock,
    )


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
