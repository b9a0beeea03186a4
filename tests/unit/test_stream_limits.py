"""Every stream is bounded as its role asks, and start-up sees when one of ours is not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from nats.js import api

from contracts.subjects import (
    DEADLETTERS_STREAM,
    ENTERPRISE_STATES_STREAM,
    ENTERPRISES_STREAM,
    LABELS_STREAM,
    MIB,
    SCRAPES_STREAM,
    STREAMS,
    StreamSpec,
)
from services.kit.streams import _stream_changes, stream_config

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
HISTORY = (LABELS_STREAM, ENTERPRISES_STREAM)
REQUESTS = ("SUPPLEMENTS", "SIGNINS", "PREFERENCES", "ALERTS")


@pytest.mark.parametrize("spec", STREAMS, ids=lambda spec: spec.name)
def test_every_stream_is_bounded_in_size_and_count(spec: StreamSpec) -> None:
    assert spec.max_bytes is not None
    assert spec.max_msgs is not None
    assert spec.max_age_days is not None or spec.max_msgs_per_subject == 1


@pytest.mark.parametrize("spec", [s for s in STREAMS if s is not DEADLETTERS_STREAM])
def test_event_streams_refuse_a_message_over_a_megabyte(spec: StreamSpec) -> None:
    assert spec.max_msg_size is not None
    assert spec.max_msg_size <= 1 * MIB


def test_a_dead_letter_can_carry_the_largest_message_of_any_stream() -> None:
    assert DEADLETTERS_STREAM.max_msg_size is None
    assert DEADLETTERS_STREAM.max_age_days == 30
    assert DEADLETTERS_STREAM.discard == "old"


def test_history_is_kept_400_days_and_the_oldest_goes_when_full() -> None:
    for spec in HISTORY:
        assert spec.max_age_days == 400
        assert spec.discard == "old"
        assert spec.max_bytes is not None and spec.max_bytes >= 512 * MIB
    assert SCRAPES_STREAM.max_age_days == 90


def test_the_present_keeps_one_event_per_enterprise_and_never_drops_one_when_full() -> None:
    assert ENTERPRISE_STATES_STREAM.max_msgs_per_subject == 1
    assert ENTERPRISE_STATES_STREAM.max_age_days is None
    assert ENTERPRISE_STATES_STREAM.discard == "new"


def test_requests_between_services_are_small_short_and_refuse_a_flood() -> None:
    for spec in (s for s in STREAMS if s.name in REQUESTS):
        assert spec.max_age_days is not None and spec.max_age_days <= 30
        assert spec.max_bytes is not None and spec.max_bytes <= 64 * MIB
        assert spec.discard == "new"


def test_all_size_caps_fit_in_a_deployed_nodes_store_with_room_to_spare() -> None:
    # nats-server reserves each stream's max_bytes in the node's store, and refuses a stream
    # that does not fit; every node of the deployment holds every (R3) stream.
    conf = (ROOT / "deploy" / "nats" / "nats-1.conf").read_text(encoding="utf-8")
    found = re.search(r"max_file_store:\s*(\d+)GB", conf)
    assert found is not None
    store = int(found.group(1)) * 1000**3
    assert sum(spec.max_bytes or 0 for spec in STREAMS) <= store * 0.5


def test_all_size_caps_fit_on_a_laptop_with_a_few_gigabytes_free() -> None:
    # A single nats-server's store defaults to 75% of the free disk: the demo must start.
    assert sum(spec.max_bytes or 0 for spec in STREAMS) <= 3 * 1024 * MIB


def test_the_limits_reach_the_server_configuration() -> None:
    config = stream_config(ENTERPRISE_STATES_STREAM)
    assert config.max_bytes == ENTERPRISE_STATES_STREAM.max_bytes
    assert config.max_msgs == ENTERPRISE_STATES_STREAM.max_msgs
    assert config.max_msg_size == ENTERPRISE_STATES_STREAM.max_msg_size
    assert config.discard == api.DiscardPolicy.NEW
    unbounded = stream_config(StreamSpec(name="T", subjects=("t.>",)))
    assert (unbounded.max_bytes, unbounded.max_msgs, unbounded.max_msg_size) == (-1, -1, -1)
    assert unbounded.discard == api.DiscardPolicy.OLD


def test_a_stream_of_ours_from_before_the_limits_is_brought_to_them() -> None:
    wanted = stream_config(LABELS_STREAM)
    # What the server reports for LABELS as the previous version made it: no limit is -1.
    before = api.StreamConfig.from_response(
        {
            **wanted.as_dict(),
            "max_msgs": -1,
            "max_bytes": -1,
            "max_msg_size": -1,
            "max_msgs_per_subject": -1,
            "discard": "old",
        }
    )
    changes = _stream_changes(before, wanted)
    assert changes == {
        "max_msgs": LABELS_STREAM.max_msgs,
        "max_bytes": LABELS_STREAM.max_bytes,
        "max_msg_size": LABELS_STREAM.max_msg_size,
    }
    assert _stream_changes(api.StreamConfig.from_response(wanted.as_dict()), wanted) == {}


def test_a_changed_discard_policy_or_per_subject_limit_is_seen() -> None:
    wanted = stream_config(ENTERPRISE_STATES_STREAM)
    before = api.StreamConfig.from_response(
        {**wanted.as_dict(), "discard": "old", "max_msgs_per_subject": -1}
    )
    assert set(_stream_changes(before, wanted)) == {"discard", "max_msgs_per_subject"}


def _size(count: int | None) -> str:
    if count is None:
        return "max_payload"
    for unit, name in ((1024 * MIB, "GiB"), (MIB, "MiB"), (1024, "KiB")):
        if count % unit == 0:
            return f"{count // unit} {name}"
    return str(count)


def _kept(spec: StreamSpec) -> str:
    if spec.max_age_days is None:
        return "latest per subject"
    return f"{spec.max_age_days:g} day" + ("" if spec.max_age_days == 1 else "s")


def test_the_readme_states_each_streams_limits_as_declared() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    when_full = {"old": "the oldest go", "new": "publishes are refused"}
    for spec in STREAMS:
        assert spec.max_msgs is not None
        cells = [
            f"`{spec.name}`",
            _kept(spec),
            _size(spec.max_bytes),
            f"{spec.max_msgs:,}",
            _size(spec.max_msg_size),
            when_full[spec.discard],
        ]
        assert "| " + " | ".join(cells) + " |" in readme, spec.name
