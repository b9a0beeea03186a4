"""The bare pipeline's pure parts: its users' permissions, its database targets and
statements, its endpoint's routes, and what its stages refuse."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest
from nats.aio.msg import Msg

from services.bench.bare_endpoint import route
from services.bench.bare_nats import (
    BENCH,
    LABELS,
    STAGE_ONE,
    STAGE_TWO,
    THING_SUBJECT,
    THINGS,
    bare_accounts,
    label_subject,
)
from services.bench.bare_pipeline import BarePipeline
from services.bench.bare_stages import HOPS, consumer_config, identified
from services.bench.bare_store import Database, statement
from services.bench.synthetic import label_granted

pytestmark = pytest.mark.unit


def users_of(passwords: dict[str, str]) -> dict[str, dict[str, Any]]:
    block = bare_accounts(passwords)
    (account,) = block.values()
    return {user["user"]: user["permissions"] for user in account["users"]}


def test_each_bare_user_publishes_only_its_own_subjects_and_touches_only_its_durable() -> None:
    users = users_of({STAGE_ONE.name: "a", STAGE_TWO.name: "b", BENCH.name: "c"})

    one, two, bench = (users[u.name]["publish"]["allow"] for u in (STAGE_ONE, STAGE_TWO, BENCH))

    assert THING_SUBJECT in one and label_subject("pso") not in one
    assert f"$JS.ACK.{LABELS.name}.bare-registry.>" in one
    assert not any(s.startswith("$JS.ACK") and THINGS.name in s for s in one)
    assert f"$JS.ACK.{THINGS.name}.bare-gateway.>" in two
    assert not any("labels" in s or s == THING_SUBJECT for s in two)
    assert f"{label_subject('pso').rsplit('.', 2)[0]}.>" in bench
    assert not any(s.startswith("$JS.ACK") or "MSG.NEXT" in s for s in bench)
    assert f"$JS.API.CONSUMER.INFO.{LABELS.name}.bare-registry" in bench
    assert not any("DELETE" in s or "PURGE" in s for s in (*one, *two, *bench))


def test_every_bare_user_has_a_password_and_its_own_inbox() -> None:
    users = users_of({STAGE_ONE.name: "a", STAGE_TWO.name: "b", BENCH.name: "c"})

    assert set(users) == {"bare-registry", "bare-gateway", "bare-bench"}
    for name, permissions in users.items():
        assert permissions["subscribe"]["allow"] == [f"_INBOX_{name}.>"]


def test_bare_streams_are_configured_like_the_platforms_under_their_own_names() -> None:
    assert (LABELS.name, THINGS.name) == ("BARE_LABELS", "BARE_THINGS")
    assert LABELS.max_msg_size is not None and LABELS.duplicate_window_seconds == 120
    assert THING_SUBJECT.startswith(THINGS.subjects[0].removesuffix(">"))


def test_stages_consume_like_the_services_batch_consumers() -> None:
    config = consumer_config(HOPS["registry"])

    assert config.durable_name == "bare-registry"
    assert config.filter_subject == LABELS.subjects[0]
    assert config.ack_wait == 30.0
    assert config.max_ack_pending == 400
    assert consumer_config(HOPS["gateway"]).filter_subject == THINGS.subjects[0]


def test_a_message_without_an_event_id_is_set_apart() -> None:
    ours = cast(Msg, SimpleNamespace(headers={"Nats-Msg-Id": "e1"}, subject="s"))
    foreign = cast(Msg, SimpleNamespace(headers=None, subject="s"))
    blank = cast(Msg, SimpleNamespace(headers={"Nats-Msg-Id": ""}, subject="s"))

    good, refused = identified([ours, foreign, blank])

    assert good == [ours]
    assert refused == [foreign, blank]


def test_database_targets_come_from_the_services_urls() -> None:
    sqlite = Database.of("sqlite:////tmp/x/bare.db")
    postgres = Database.of("postgresql+psycopg://postgres@127.0.0.1:5433/postgres")

    assert sqlite == Database("sqlite", "/tmp/x/bare.db")
    assert postgres == Database("postgresql", "postgresql://postgres@127.0.0.1:5433/postgres")


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "mysql://u@h/db"])
def test_an_in_memory_or_foreign_database_is_refused_clearly(url: str) -> None:
    with pytest.raises(ValueError, match="bare pipeline"):
        Database.of(url)


def test_statements_use_each_drivers_placeholder() -> None:
    template = "SELECT payload FROM bare_thing WHERE id = {p} AND x = {p}"

    assert statement(template, "sqlite").endswith("id = ? AND x = ?")
    assert statement(template, "postgresql").endswith("id = %s AND x = %s")


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/things/abc123", (200, "abc123")),
        ("GET", "/healthz", (200, "")),
        ("GET", "/things/", (404, "")),
        ("GET", "/things/a/b", (404, "")),
        ("GET", "/elsewhere", (404, "")),
        ("POST", "/things/abc123", (405, "")),
    ],
)
def test_the_endpoint_serves_one_thing_by_id_and_nothing_else(
    method: str, path: str, expected: tuple[int, str]
) -> None:
    assert route(method, path) == expected


def test_the_bare_pipeline_takes_the_platforms_payloads_under_their_event_ids() -> None:
    event = label_granted("u", 3)

    (message,) = BarePipeline.messages([event])

    assert message.subject == label_subject(event.observation.label)
    assert message.msg_id == event.event_id
    assert message.payload == event.model_dump_json().encode()
    assert BarePipeline.path(event) == f"/things/{event.event_id}"
