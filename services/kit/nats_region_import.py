"""A region by account import: what the platform's account exports to it (only the pull,
info and ack subjects of the durables made for it, one per shared stream) and its own account
on our servers."""

from __future__ import annotations

from typing import Any

from nats.js import api

from services.kit.nats_regions import (
    IMPORT_PREFIX,
    REGION_INACTIVE_SECONDS,
    REGION_MAX_DELIVER,
    SHARED,
    Region,
)
from services.kit.nats_users import PLATFORM_ACCOUNT


def durable_config(region: Region, stream: str) -> api.ConsumerConfig:
    """The durable the platform makes for an importing region: from the start of `stream`,
    filtered on its provinces (news and agenda: whole), acknowledged one by one."""
    return api.ConsumerConfig(
        durable_name=region.durable,
        deliver_policy=api.DeliverPolicy.ALL,
        ack_policy=api.AckPolicy.EXPLICIT,
        filter_subjects=region.filters(stream),
        max_ack_pending=1000,
        ack_wait=60,
        # A region's event that keeps failing over there is given up on (the region's own
        # consumer dead-letters it on its side), and a region that went away is cleaned up.
        max_deliver=REGION_MAX_DELIVER,
        inactive_threshold=REGION_INACTIVE_SECONDS,
    )


def _pull_subjects(region: Region, stream: str) -> dict[str, str]:
    durable = region.durable
    return {
        "info": f"$JS.API.CONSUMER.INFO.{stream}.{durable}",
        "next": f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{durable}",
        "ack": f"$JS.ACK.{stream}.{durable}.>",
    }


def exports(region: Region) -> list[dict[str, Any]]:
    """What the platform's account exports to an importing region: the pull (many replies to
    one request: `response_type: stream`), info and ack subjects of its own durables only."""
    found: list[dict[str, Any]] = []
    for stream in SHARED:
        subjects = _pull_subjects(region, stream)
        for key in ("info", "next", "ack"):
            export: dict[str, Any] = {"service": subjects[key], "accounts": [region.account]}
            if key == "next":
                export["response_type"] = "stream"
            found.append(export)
    return found


def import_account(region: Region, password: str) -> dict[str, Any]:
    """An importing region's account: no JetStream of its own, the durables' subjects imported
    (the API under `IMPORT_PREFIX`, the acks as delivered), and one user allowed only those."""
    imports: list[dict[str, Any]] = []
    allowed: list[str] = []
    for stream in SHARED:
        subjects = _pull_subjects(region, stream)
        for key in ("info", "next"):
            local = subjects[key].replace("$JS.API", IMPORT_PREFIX, 1)
            imports.append(
                {"service": {"account": PLATFORM_ACCOUNT, "subject": subjects[key]}, "to": local}
            )
            allowed.append(local)
        imports.append({"service": {"account": PLATFORM_ACCOUNT, "subject": subjects["ack"]}})
        allowed.append(subjects["ack"])
    user = {
        "user": region.user,
        "password": password,
        "permissions": {
            "publish": {"allow": allowed},
            "subscribe": {"allow": [f"_INBOX_{region.user}.>"]},
        },
    }
    return {"users": [user], "imports": imports}
