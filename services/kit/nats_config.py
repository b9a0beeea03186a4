"""nats-server configuration rendered from the users table (nats_users.py): the accounts block
with each user's permissions, and a whole single-node configuration for the demo and tests.

The output is JSON-shaped, which nats-server's configuration format reads as it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contracts.subjects import STREAMS
from services.kit.nats_users import (
    ADMIN,
    ANY_DURABLE,
    ANY_HEALTH,
    PLATFORM_ACCOUNT,
    SERVICE_USERS,
    Durable,
    ServiceUser,
)

API = "$JS.API"


def permissions(user: ServiceUser, guarded: Iterable[Durable] = ()) -> dict[str, Any]:
    """The nats-server `permissions` block of `user`; `guarded` names further durables it
    must never touch (the regions')."""
    allow = [*user.publishes, f"{API}.INFO"]
    for stream in (*user.owns, *user.reads):
        allow += [f"{API}.STREAM.INFO.{stream}", f"{API}.STREAM.CREATE.{stream}"]
    allow += [f"{API}.STREAM.UPDATE.{stream}" for stream in user.owns]
    for durable in user.durables:
        allow += _durable_calls(durable, user.deletes_durables)
    for bucket in user.key_values:
        allow += _bucket_calls(bucket)
    block: dict[str, Any] = {
        "publish": {"allow": allow},
        "subscribe": {"allow": [*user.subscribes, f"{user.inbox_prefix}.>"]},
    }
    deny = _others_durables(user, guarded)
    if deny:
        block["publish"]["deny"] = deny
    if user.answers_requests:
        block["allow_responses"] = True
    return block


def admin_permissions() -> dict[str, Any]:
    """The operator's user (`admin`): the whole JetStream API of the platform's account, to
    set regions up, inspect and repair, and ask the services' health, but no deleting or
    purging a platform stream, and no publishing events in the services' name."""
    streams = [spec.name for spec in STREAMS]
    return {
        "publish": {
            "allow": [f"{API}.>", "$JS.ACK.>", ANY_HEALTH],
            "deny": [
                f"{API}.STREAM.{call}.{stream}"
                for call in ("DELETE", "PURGE")
                for stream in streams
            ],
        },
        "subscribe": {"allow": [f"_INBOX_{ADMIN}.>"]},
    }


def _durable_calls(durable: Durable, deletes: bool) -> list[str]:
    stream, name = durable.stream, durable.name
    calls = [
        f"{API}.CONSUMER.INFO.{stream}.{name}",
        f"{API}.CONSUMER.CREATE.{stream}.{name}",
        f"{API}.CONSUMER.CREATE.{stream}.{name}.>",
        f"{API}.CONSUMER.DURABLE.CREATE.{stream}.{name}",
        f"{API}.CONSUMER.MSG.NEXT.{stream}.{name}",
        f"$JS.ACK.{stream}.{name}.>",
    ]
    return calls + ([f"{API}.CONSUMER.DELETE.{stream}.{name}"] if deletes else [])


def _bucket_calls(bucket: str) -> list[str]:
    stream = f"KV_{bucket}"
    return [
        f"$KV.{bucket}.>",
        f"{API}.STREAM.INFO.{stream}",
        f"{API}.STREAM.CREATE.{stream}",
        f"{API}.STREAM.UPDATE.{stream}",
        f"{API}.STREAM.MSG.GET.{stream}",
        f"{API}.DIRECT.GET.{stream}",
        f"{API}.DIRECT.GET.{stream}.>",
    ]


def _others_durables(user: ServiceUser, guarded: Iterable[Durable]) -> list[str]:
    """For a user allowed any durable name on a stream: the other services' durables there,
    and the `guarded` ones, which it may neither use, acknowledge for, nor delete."""
    open_streams = {d.stream for d in user.durables if d.name == ANY_DURABLE}
    others = [d for other in SERVICE_USERS if other is not user for d in other.durables]
    deny: list[str] = []
    for durable in (*others, *guarded):
        if durable.stream in open_streams and durable.name != ANY_DURABLE:
            stream, name = durable.stream, durable.name
            deny += [
                f"{API}.CONSUMER.*.{stream}.{name}",
                f"{API}.CONSUMER.*.{stream}.{name}.>",
                f"{API}.CONSUMER.DURABLE.CREATE.{stream}.{name}",
                f"{API}.CONSUMER.MSG.NEXT.{stream}.{name}",
                f"$JS.ACK.{stream}.{name}.>",
            ]
    return deny


@dataclass(frozen=True)
class ExtraUser:
    """A user beside the services: the tests' superuser, or an operator's."""

    name: str
    password: str = field(repr=False)
    permissions: Mapping[str, Any] | None = None


def accounts_block(
    passwords: Mapping[str, str],
    users: Iterable[ServiceUser] = SERVICE_USERS,
    extra: Iterable[ExtraUser] = (),
    more_accounts: Mapping[str, Any] | None = None,
    exports: Iterable[Mapping[str, Any]] = (),
    guarded: Iterable[Durable] = (),
) -> dict[str, Any]:
    """The `accounts` block: the platform's account with a user per service (password from
    `passwords`), any `extra` users, and `more_accounts` (the regions', whose durables on our
    streams are `guarded` from the services)."""
    guarded = tuple(guarded)
    entries: list[dict[str, Any]] = [
        {"user": u.name, "password": passwords[u.name], "permissions": permissions(u, guarded)}
        for u in users
    ]
    for user in extra:
        entry: dict[str, Any] = {"user": user.name, "password": user.password}
        if user.permissions is not None:
            entry["permissions"] = dict(user.permissions)
        entries.append(entry)
    platform: dict[str, Any] = {"jetstream": "enabled", "users": entries}
    if exports:
        platform["exports"] = list(exports)
    return {PLATFORM_ACCOUNT: platform, **(more_accounts or {})}


def render(config: Mapping[str, Any]) -> str:
    """A configuration file's text (one top-level key per line, JSON-shaped values)."""
    return "".join(f"{key}: {json.dumps(value, indent=2)}\n" for key, value in config.items())


def single_node(
    port: int,
    monitor_port: int,
    store_dir: Path,
    accounts: Mapping[str, Any],
    domain: str | None = None,
    leaf_port: int | None = None,
) -> dict[str, Any]:
    """A one-node server on loopback with JetStream and these accounts; with a `domain` and
    a `leaf_port`, the hub that regions' leaf nodes join."""
    jetstream: dict[str, Any] = {"store_dir": str(store_dir)}
    config: dict[str, Any] = {
        "listen": f"127.0.0.1:{port}",
        "http": f"127.0.0.1:{monitor_port}",
        "jetstream": jetstream,
        "accounts": dict(accounts),
    }
    if domain:
        jetstream["domain"] = domain
    if leaf_port:
        config["leafnodes"] = {"listen": f"127.0.0.1:{leaf_port}"}
    return config
