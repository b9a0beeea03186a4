"""A region by leaf node: the push consumers its streams source, what the platform's account
exports to it, its account on our servers, and the streams and remote of its own server."""

from __future__ import annotations

from typing import Any

from nats.js import api

from contracts.subjects import ENTERPRISE_STATES_STREAM
from services.kit.nats_regions import (
    API_PREFIX,
    LEAF_ACCOUNT,
    REGION_INACTIVE_SECONDS,
    SHARED,
    Region,
)
from services.kit.nats_users import PLATFORM_ACCOUNT


def deliver_subject(region: Region, stream: str) -> str:
    """Where the platform pushes a leaf region's copy of `stream` (an imported subject)."""
    return f"deliver.{region.name}.{stream.lower()}"


def leaf_consumer_config(region: Region, stream: str) -> api.ConsumerConfig:
    """The push consumer the platform makes for a leaf region's stream to source: filtered
    on its provinces (news and agenda: whole), acknowledged by the flow control of the
    sourcing itself."""
    return api.ConsumerConfig(
        name=region.durable,
        durable_name=region.durable,
        deliver_subject=deliver_subject(region, stream),
        deliver_policy=api.DeliverPolicy.ALL,
        ack_policy=api.AckPolicy.FLOW_CONTROL,
        flow_control=True,
        idle_heartbeat=1.0,
        filter_subjects=region.filters(stream),
        inactive_threshold=REGION_INACTIVE_SECONDS,
    )


def _leaf_subjects(region: Region, stream: str) -> dict[str, str]:
    return {
        "reset": f"$JS.API.CONSUMER.RESET.{stream}.{region.durable}",
        "flow": f"$JS.FC.{stream}.{region.durable}.*",
        "deliver": deliver_subject(region, stream),
    }


def leaf_exports(region: Region) -> list[dict[str, Any]]:
    """What the platform's account exports to a leaf region: attaching to (and rewinding) its
    own consumers, their flow-control replies, and their deliveries."""
    found: list[dict[str, Any]] = []
    for stream in SHARED:
        subjects = _leaf_subjects(region, stream)
        found += [
            {"service": subjects["reset"], "accounts": [region.account]},
            {"service": subjects["flow"], "accounts": [region.account]},
            {"stream": subjects["deliver"], "accounts": [region.account]},
        ]
    return found


def leaf_account(region: Region, password: str) -> dict[str, Any]:
    """A leaf region's account on our servers: only its own consumers' subjects imported, and
    its leaf connection's user allowed only those. A leaf's permissions read from the leaf's
    side: `publish` is what the leaf may send us (under our JetStream domain's API prefix),
    `subscribe` what we may deliver to it (its data, and the replies to its attach calls)."""
    imports: list[dict[str, Any]] = []
    sends: list[str] = []
    receives: list[str] = ["$JSC.R.*"]
    for stream in SHARED:
        subjects = _leaf_subjects(region, stream)
        imports += [
            {"service": {"account": PLATFORM_ACCOUNT, "subject": subjects["reset"]}},
            {"service": {"account": PLATFORM_ACCOUNT, "subject": subjects["flow"]}},
            {"stream": {"account": PLATFORM_ACCOUNT, "subject": subjects["deliver"]}},
        ]
        sends += [subjects["reset"].replace("$JS.API", API_PREFIX, 1), subjects["flow"]]
        receives.append(subjects["deliver"])
    user = {
        "user": region.user,
        "password": password,
        "permissions": {"publish": {"allow": sends}, "subscribe": {"allow": receives}},
    }
    return {"users": [user], "imports": imports}


def leaf_streams(region: Region) -> list[api.StreamConfig]:
    """The region's own streams, on its leaf server: each sources ours through the consumer
    we made for it, keeping our streams' names so the platform's gateway reads them as ours."""
    configs = []
    for stream in SHARED:
        source = api.StreamSource(
            name=stream,
            consumer=api.StreamConsumerSource(
                name=region.durable, deliver_subject=deliver_subject(region, stream)
            ),
            external=api.ExternalStream(api=API_PREFIX),
        )
        per_subject = 1 if stream == ENTERPRISE_STATES_STREAM.name else None
        configs.append(
            api.StreamConfig(
                name=stream,
                storage=api.StorageType.FILE,
                sources=[source],
                max_msgs_per_subject=per_subject or -1,
            )
        )
    return configs


def leaf_remote(region: Region, hub_leaf_url: str, password: str) -> dict[str, Any]:
    """The `leafnodes` block of the region's own server: joined to our leaf port as its
    user, its local account `REGION` bound to the connection."""
    host = hub_leaf_url.split("://", 1)[-1]
    url = f"nats-leaf://{region.user}:{password}@{host}"
    return {"remotes": [{"url": url, "account": LEAF_ACCOUNT}]}
