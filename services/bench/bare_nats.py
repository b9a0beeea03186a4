"""The bare pipeline's NATS: two streams configured like LABELS and ENTERPRISES, and three
least-privilege users on an authenticated nats-server of its own (stage 1, stage 2 and the
benchmark's publisher and observer), rendered by the kit from the same kind of users table
as the platform's."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contracts.subjects import ENTERPRISES_STREAM, LABELS_STREAM
from services.kit.nats_access import NatsAccess
from services.kit.nats_config import API, ExtraUser, accounts_block, permissions
from services.kit.nats_credentials import ensure_passwords, password_file
from services.kit.nats_users import Durable, ServiceUser
from services.kit.natsserver import NatsServer

PREFIX = "bench.bare"
LABELS = LABELS_STREAM.model_copy(
    update={"name": "BARE_LABELS", "subjects": (f"{PREFIX}.labels.>",)}
)
THINGS = ENTERPRISES_STREAM.model_copy(
    update={"name": "BARE_THINGS", "subjects": (f"{PREFIX}.things.>",)}
)
THING_SUBJECT = f"{PREFIX}.things.recorded"
STAGE_ONE_DURABLE = "bare-registry"
STAGE_TWO_DURABLE = "bare-gateway"

STAGE_ONE = ServiceUser(
    name="bare-registry",
    publishes=(THING_SUBJECT,),
    reads=(LABELS.name, THINGS.name),
    durables=(Durable(LABELS.name, STAGE_ONE_DURABLE),),
)
STAGE_TWO = ServiceUser(
    name="bare-gateway",
    reads=(THINGS.name,),
    durables=(Durable(THINGS.name, STAGE_TWO_DURABLE),),
)
BENCH = ServiceUser(
    name="bare-bench", publishes=(f"{PREFIX}.labels.>",), owns=(LABELS.name, THINGS.name)
)
"""Creates the streams, publishes label events and watches the stages' durables."""


def label_subject(label: str) -> str:
    """Where the benchmark publishes a granted label event for the bare pipeline."""
    return f"{PREFIX}.labels.{label}.granted"


def bench_permissions() -> dict[str, Any]:
    """The benchmark's user: its streams and publishes, plus reading (never using) the
    stages' durables, which is how it sees what they acknowledged."""
    block = permissions(BENCH)
    block["publish"]["allow"] += [
        f"{API}.CONSUMER.INFO.{LABELS.name}.{STAGE_ONE_DURABLE}",
        f"{API}.CONSUMER.INFO.{THINGS.name}.{STAGE_TWO_DURABLE}",
    ]
    return block


def bare_accounts(passwords: Mapping[str, str]) -> dict[str, Any]:
    """The server's accounts block: the two stages and the benchmark, nobody else."""
    bench = ExtraUser(BENCH.name, passwords[BENCH.name], bench_permissions())
    return accounts_block(passwords, (STAGE_ONE, STAGE_TWO), extra=[bench])


@dataclass(frozen=True)
class BareNats:
    """The running server and where each user's password is."""

    url: str
    secrets: Path
    passwords: Mapping[str, str]

    def access(self, user: ServiceUser) -> NatsAccess:
        """`user`'s access (its own inbox prefix included)."""
        return NatsAccess(url=self.url, user=user.name, password=self.passwords[user.name])

    def password_file(self, user: ServiceUser) -> Path:
        """The file a stage process reads its password from."""
        return password_file(self.secrets, user.name)


@contextlib.asynccontextmanager
async def bare_nats(folder: Path) -> AsyncIterator[BareNats]:
    """An authenticated nats-server with JetStream for the bare pipeline, in `folder`."""
    (folder / "logs").mkdir(parents=True, exist_ok=True)
    users = [STAGE_ONE.name, STAGE_TWO.name, BENCH.name]
    passwords = ensure_passwords(folder / "secrets", users)
    server = NatsServer(
        folder / "nats", log_file=folder / "logs" / "nats.log", accounts=bare_accounts(passwords)
    )
    try:
        await asyncio.to_thread(server.start)
        yield BareNats(server.url, folder / "secrets", passwords)
    finally:
        await asyncio.to_thread(server.stop)
