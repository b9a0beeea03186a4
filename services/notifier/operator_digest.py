"""The operator's digest of dead letters: each new dead letter recorded once, and at most
one Dutch plain-text mail per interval to `IMPACTOOST_OPERATOR_EMAIL` about those not yet
told.

A letter is recorded under its own `Nats-Msg-Id` (the same letter put twice, or delivered
twice, is one row) in the same transaction for a whole batch. A digest marks its letters
told only after the mail server accepted it: a notifier stopped in between sends that
digest again (at least once, like every mail here), under the same Message-ID.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import BigInteger, Engine, Text, delete, func
from sqlmodel import Field, Session, col, select

from contracts.base import deterministic_id
from contracts.subjects import DEADLETTERS_STREAM
from services.kit.deadletter_view import LetterSummary, printable
from services.notifier.deliveries import DateTimeTz, NotifierTable
from services.notifier.domain import message_id
from services.notifier.mailer import OutgoingMail

LINES_IN_MAIL = 20
KEEP_TOLD = timedelta(days=DEADLETTERS_STREAM.max_age_days or 30)
"""How long a told letter's row is kept: as long as the stream keeps the letter."""


class OperatorDeadLetter(NotifierTable, table=True):
    """A dead letter the notifier has seen, and when the operator was told of it."""

    __tablename__ = "operator_dead_letter"

    letter_id: str = Field(primary_key=True, max_length=64)
    sequence: int = Field(sa_type=BigInteger)
    service: str = Field(max_length=64)
    consumer: str = Field(max_length=64)
    kind: str = Field(max_length=20)
    subject: str = Field(sa_type=Text)
    event_id: str = Field(sa_type=Text)
    reason: str = Field(sa_type=Text)
    dead_at: datetime = Field(sa_type=DateTimeTz)
    recorded_at: datetime = Field(sa_type=DateTimeTz)
    told_at: datetime | None = Field(default=None, sa_type=DateTimeTz, index=True)


@dataclass(frozen=True)
class SeenLetter:
    """What the digest needs of one dead letter (read from its headers)."""

    letter_id: str
    sequence: int
    service: str
    consumer: str
    kind: str
    subject: str
    event_id: str
    reason: str
    dead_at: datetime

    def summary(self) -> LetterSummary:
        """The letter as `impactoost dlq list` shows it."""
        return LetterSummary(
            sequence=self.sequence,
            dead_at=self.dead_at.isoformat(timespec="seconds"),
            service=self.service,
            consumer=self.consumer,
            kind=self.kind,
            subject=self.subject,
            event_id=self.event_id,
            reason=self.reason,
        )


class OperatorLetters:
    """The table over SQLAlchemy; blocking, so callers run it in a thread."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(self, letters: Sequence[SeenLetter], now: datetime) -> int:
        """Record the letters not recorded yet, in one transaction; how many were new."""
        with Session(self.engine) as session:
            ids = {letter.letter_id for letter in letters}
            known = set(
                session.exec(
                    select(OperatorDeadLetter.letter_id).where(
                        col(OperatorDeadLetter.letter_id).in_(ids)
                    )
                )
            )
            new = {one.letter_id: one for one in letters if one.letter_id not in known}.values()
            for letter in new:
                session.add(_row(letter, now))
            session.commit()
            return len(new)

    def untold(self) -> list[SeenLetter]:
        """The letters no digest has named yet, oldest first."""
        with Session(self.engine) as session:
            query = (
                select(OperatorDeadLetter)
                .where(col(OperatorDeadLetter.told_at).is_(None))
                .order_by(col(OperatorDeadLetter.sequence))
            )
            return [_seen(row) for row in session.exec(query)]

    def last_told_at(self) -> datetime | None:
        """When the last digest went out, if one did within the rows kept."""
        with Session(self.engine) as session:
            latest = session.exec(select(func.max(OperatorDeadLetter.told_at))).one()
            return _aware(latest) if latest is not None else None

    def mark_told(self, letter_ids: Sequence[str], at: datetime) -> None:
        """Note that a digest named these letters."""
        with Session(self.engine) as session:
            for letter_id in letter_ids:
                row = session.get(OperatorDeadLetter, letter_id)
                if row is not None:
                    row.told_at = at
                    session.add(row)
            session.commit()

    def forget_told(self, before: datetime) -> int:
        """Delete the rows of letters told before `before`; how many."""
        with Session(self.engine) as session:
            result = session.exec(
                delete(OperatorDeadLetter).where(col(OperatorDeadLetter.told_at) < before)
            )
            session.commit()
            return int(result.rowcount or 0)


def digest_mail(
    letters: Sequence[SeenLetter], *, recipient: str, platform: str, domain: str
) -> OutgoingMail:
    """The Dutch plain-text digest of `letters` (a Message-ID derived from them: the same
    digest sent twice is recognisably one)."""
    count = len(letters)
    groups = Counter((one.service, one.consumer, one.kind) for one in letters)
    lines = [
        "Geachte beheerder,",
        "",
        _opening(count),
        f"(de dead-letter-stream {DEADLETTERS_STREAM.name}).",
        "",
        "Per dienst, consumer en soort:",
        *(
            f"  {printable(f'{service}/{consumer}', 100)}  {printable(kind, 20)}  {n}"
            for (service, consumer, kind), n in sorted(groups.items())
        ),
        "",
        f"De eerste {min(count, LINES_IN_MAIL)} (volgnummer, tijdstip, dienst/consumer, "
        "soort, onderwerp, event-id, reden):",
        *(f"  {letter.summary().line()}" for letter in letters[:LINES_IN_MAIL]),
    ]
    if count > LINES_IN_MAIL:
        lines.append(f"  ... en nog {count - LINES_IN_MAIL} meer")
    lines += _instructions(platform)
    key = deterministic_id("operator-digest", *sorted(one.letter_id for one in letters))
    subject = f"{platform}: {count} onverwerkbare bericht{'' if count == 1 else 'en'}"
    return OutgoingMail(recipient, subject, "\n".join(lines) + "\n", "", message_id(key, domain))


def _opening(count: int) -> str:
    if count == 1:
        return "Sinds het vorige overzicht is 1 bericht opzijgezet dat niet verwerkt kon worden"
    return (
        f"Sinds het vorige overzicht zijn {count} berichten opzijgezet die niet verwerkt "
        "konden worden"
    )


def _instructions(platform: str) -> list[str]:
    days = int(KEEP_TOLD.days)
    return [
        "",
        "Bekijken en afhandelen, als beheerder op de server:",
        "  impactoost dlq list                  alle berichten, een per regel",
        "  impactoost dlq show <volgnummer>     kopregels en inhoud van een bericht",
        "  impactoost dlq replay <volgnummer>   terug naar de oorspronkelijke stream",
        "  impactoost dlq drop <volgnummer>     verwijderen",
        "",
        f"De berichten blijven {days} dagen bewaard. Dit overzicht komt hoogstens eens per "
        "ingesteld interval (IMPACTOOST_OPERATOR_DIGEST_MINUTES).",
        "",
        "Met vriendelijke groet,",
        platform,
    ]


def _row(letter: SeenLetter, now: datetime) -> OperatorDeadLetter:
    return OperatorDeadLetter(
        letter_id=letter.letter_id,
        sequence=letter.sequence,
        service=letter.service[:64],
        consumer=letter.consumer[:64],
        kind=letter.kind[:20],
        subject=letter.subject[:500],
        event_id=letter.event_id[:200],
        reason=letter.reason[:500],
        dead_at=letter.dead_at,
        recorded_at=now,
    )


def _seen(row: OperatorDeadLetter) -> SeenLetter:
    return SeenLetter(
        letter_id=row.letter_id,
        sequence=row.sequence,
        service=row.service,
        consumer=row.consumer,
        kind=row.kind,
        subject=row.subject,
        event_id=row.event_id,
        reason=row.reason,
        dead_at=_aware(row.dead_at),
    )


def _aware(moment: datetime) -> datetime:
    """SQLite gives back what it stored (UTC) without its zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
