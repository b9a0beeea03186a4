"""`impactoost dlq list|show|replay|drop`: the dead letters an operator sees and acts on.

Connects with the IMPACTOOST_NATS_* settings; without a user there, as `admin` with the
password in the secrets folder. A replay publishes as the service user that publishes the
letter's subject, with that user's password from the same folder.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from services.cli.errors import UsageError, fail_cleanly

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from nats.js import JetStreamContext

    from services.kit.deadletter_admin import LetterFilter, ReplayOutcome, StoredLetter
    from services.kit.nats_access import NatsAccess

dlq_app = typer.Typer(
    help="Dead letters: messages a consumer gave up on, and events the outbox could not "
    "publish. List, show, replay or drop them.",
    add_completion=False,
    no_args_is_help=True,
)

T = TypeVar("T")
Secrets = Annotated[
    Path, typer.Option(help="The folder with the NATS users' passwords (nats-<user>.password)")
]
DEFAULT_SECRETS = Path("deploy/secrets")
Service = Annotated[str | None, typer.Option(help="Only this service's letters")]
Consumer = Annotated[str | None, typer.Option(help="Only this consumer's (durable, or outbox)")]
Kind = Annotated[
    str | None, typer.Option(help="Only this kind: undecodable, invalid, exhausted, unpublishable")
]
Sequence = Annotated[int, typer.Argument(help="The letter's sequence, as listed", min=1)]


@dlq_app.command("list")
@fail_cleanly
def list_letters(
    service: Service = None,
    consumer: Consumer = None,
    kind: Kind = None,
    secrets: Secrets = DEFAULT_SECRETS,
) -> None:
    """One line per dead letter: sequence, when, service/consumer, kind, original subject,
    original event id, reason (shortened)."""
    from services.kit.deadletter_admin import read_letters

    which = _filter(service, consumer, kind)

    async def lines(js: JetStreamContext) -> list[str]:
        return [letter.summary().line() async for letter in read_letters(js, which)]

    found = _run(_admin_access(secrets), lines)
    for line in found:
        typer.echo(line)
    typer.echo(f"{len(found)} dead letter(s)" if found else "no dead letters", err=True)


@dlq_app.command()
@fail_cleanly
def show(sequence: Sequence, secrets: Secrets = DEFAULT_SECRETS) -> None:
    """Every header of the letter, then its body (indented when JSON)."""
    from services.kit.deadletter_admin import read_letter
    from services.kit.deadletter_view import body_text, printable

    letter = _run(_admin_access(secrets), lambda js: read_letter(js, sequence))
    typer.echo(f"sequence: {letter.sequence}")
    for name, value in sorted(letter.headers.items()):
        typer.echo(f"{printable(name, 100)}: {printable(value, 2000)}")
    typer.echo("")
    typer.echo(body_text(letter.body))


@dlq_app.command()
@fail_cleanly
def replay(
    sequence: Annotated[int | None, typer.Argument(help="The letter's sequence", min=1)] = None,
    every: Annotated[
        bool, typer.Option("--all", help="Every letter the filters name, instead of one")
    ] = False,
    service: Service = None,
    consumer: Consumer = None,
    kind: Kind = None,
    secrets: Secrets = DEFAULT_SECRETS,
) -> None:
    """Publish the letter back to its original subject with its original id, and delete it
    once the stream has stored it."""
    from services.kit.deadletter_admin import read_letter, read_letters

    if (sequence is None) == (not every):
        raise UsageError("give a sequence, or --all (with --service/--consumer/--kind)")
    if sequence is not None and (service or consumer or kind):
        raise UsageError("--service, --consumer and --kind go with --all")
    which = _filter(service, consumer, kind)

    async def chosen(js: JetStreamContext) -> list[StoredLetter]:
        if sequence is not None:
            return [await read_letter(js, sequence)]
        return [letter async for letter in read_letters(js, which)]

    letters = _run(_admin_access(secrets), chosen)
    failed = sum(not _replay_one(letter, secrets) for letter in letters)
    if every:
        typer.echo(f"{len(letters) - failed} of {len(letters)} replayed")
    if failed:
        raise typer.Exit(1)


@dlq_app.command()
@fail_cleanly
def drop(sequence: Sequence, secrets: Secrets = DEFAULT_SECRETS) -> None:
    """Delete the letter for good, after printing what it was."""
    from services.kit.deadletter_admin import drop_letter, read_letter

    async def dropped(js: JetStreamContext) -> StoredLetter:
        letter = await read_letter(js, sequence)
        typer.echo(letter.summary().line(reason_chars=500))
        await drop_letter(js, sequence)
        return letter

    _run(_admin_access(secrets), dropped)
    typer.echo(f"dropped dead letter {sequence}")


def _replay_one(letter: StoredLetter, secrets: Path) -> bool:
    """Replay one letter and say what became of it; False when it stays."""
    from services.kit.deadletter_admin import NotReplayable, publisher_of, replay_subject
    from services.kit.deadletter_view import printable

    try:
        user = publisher_of(replay_subject(letter))
    except NotReplayable as exc:
        typer.echo(f"impactoost: error: {exc}", err=True)
        return False
    outcome = asyncio.run(
        _replay_as(letter, _admin_access(secrets), _access_of(user.name, secrets))
    )
    subject = printable(replay_subject(letter), 200)
    event = printable(letter.original_id or "(none)", 100)
    if outcome.outcome == "duplicate":
        typer.echo(
            f"impactoost: error: dead letter {letter.sequence} not replayed: {outcome.stream} "
            f"still holds event id {event} (its duplicate window, 2 minutes, drops a "
            "repeat); the letter is kept: replay it again later",
            err=True,
        )
        return False
    typer.echo(
        f"replayed dead letter {letter.sequence} to {subject} as {user.name} "
        f"({outcome.stream} sequence {outcome.sequence}, event id {event}); letter deleted"
    )
    return True


async def _replay_as(
    letter: StoredLetter, admin: NatsAccess, publisher: NatsAccess
) -> ReplayOutcome:
    from services.kit.deadletter_admin import replay_letter

    async with _jetstream(admin) as admin_js, _jetstream(publisher) as publisher_js:
        return await replay_letter(admin_js, publisher_js, letter)


def _filter(service: str | None, consumer: str | None, kind: str | None) -> LetterFilter:
    import re

    from services.kit.deadletter_admin import LetterFilter

    for name, value in (("--service", service), ("--consumer", consumer)):
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]+", value):
            raise UsageError(f"{name} takes a name of letters, digits, - and _, not {value!r}")
    kinds = ("undecodable", "invalid", "exhausted", "unpublishable")
    if kind is not None and kind not in kinds:
        raise UsageError(f"unknown --kind {kind!r}; one of {', '.join(kinds)}")
    return LetterFilter(service=service, consumer=consumer, kind=kind)


def _admin_access(secrets: Path) -> NatsAccess:
    """The settings' access when they name a user (or creds); else `admin` with its password
    from the secrets folder, when there."""
    import dataclasses

    from services.kit.nats_credentials import password_file
    from services.kit.nats_users import ADMIN
    from services.kit.settings import KitSettings, load_settings

    access = load_settings(KitSettings).nats()
    if access.user or access.creds_file or access.nkey_file:
        return access
    path = password_file(secrets, ADMIN)
    if not path.is_file():
        return access
    return dataclasses.replace(access, user=ADMIN, password=_password(path), inbox=None)


def _access_of(user: str, secrets: Path) -> NatsAccess:
    """The same servers as `user`, with its password from the secrets folder."""
    from services.kit.nats_access import NatsAccess
    from services.kit.nats_credentials import password_file
    from services.kit.settings import KitSettings, load_settings

    path = password_file(secrets, user)
    if not path.is_file():
        raise UsageError(
            f"a replay publishes as NATS user {user!r}: no password at {path} (give --secrets)"
        )
    settings = load_settings(KitSettings).nats()
    return NatsAccess(
        url=settings.url,
        user=user,
        password=_password(path),
        tls_ca_file=settings.tls_ca_file,
        tls_cert_file=settings.tls_cert_file,
        tls_key_file=settings.tls_key_file,
    )


def _password(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip()


def _run(access: NatsAccess, work: Callable[[JetStreamContext], Awaitable[T]]) -> T:
    async def run() -> T:
        async with _jetstream(access) as js:
            return await work(js)

    return _translated(lambda: asyncio.run(run()))


def _translated(call: Callable[[], T]) -> T:
    """LetterNotFound is a usage error: one line, exit 2."""
    from services.kit.deadletter_admin import LetterNotFound

    try:
        return call()
    except LetterNotFound as exc:
        raise UsageError(str(exc)) from None


@asynccontextmanager
async def _jetstream(access: NatsAccess) -> AsyncIterator[JetStreamContext]:
    from services.kit.nats_access import connect

    client = await connect(
        access,
        connect_timeout=5,
        allow_reconnect=False,
        max_reconnect_attempts=1,
        error_cb=_quiet,
    )
    try:
        yield client.jetstream(timeout=10)
    finally:
        await client.close()


async def _quiet(exc: Exception) -> None:
    """nats-py prints each failed attempt with its traceback; the command's one line says it."""
