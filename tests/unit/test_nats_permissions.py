"""The users table grants each service what it needs and nothing that would let it destroy
or impersonate: the rules a reviewer checks, as assertions over the rendered permissions."""

from __future__ import annotations

import pytest

from contracts.subjects import STREAMS
from services.kit.nats_config import accounts_block, permissions
from services.kit.nats_users import (
    DEMO,
    GATEWAY,
    NOTIFIER,
    NOTIFIER_MAIL,
    PLATFORM_ACCOUNT,
    REGISTRY,
    SCRAPER,
    SERVICE_USERS,
)

pytestmark = pytest.mark.unit


def allowed(user: object, kind: str = "publish") -> list[str]:
    return list(permissions(user)[kind]["allow"])  # type: ignore[arg-type]


@pytest.mark.parametrize("user", [*SERVICE_USERS, DEMO], ids=lambda u: u.name)
def test_no_user_may_delete_purge_or_use_the_whole_api(user: object) -> None:
    for subject in allowed(user):
        assert ".STREAM.DELETE." not in subject and ".STREAM.PURGE." not in subject
        assert subject not in (">", "$JS.API.>", "$JS.>", "impact.>", "impact.v1.>")
    # Replies reach it under its own inbox only: never under `_INBOX.>`.
    inboxes = [s for s in allowed(user, "subscribe") if s.startswith("_INBOX")]
    assert inboxes == [f"_INBOX_{user.name}.>"]  # type: ignore[attr-defined]


def test_only_the_scraper_publishes_label_events_and_only_the_registry_enterprises() -> None:
    by_subject = {
        subject: {u.name for u in (*SERVICE_USERS, DEMO) if subject in allowed(u)}
        for subject in ("impact.v1.labels.>", "impact.v1.enterprises.>", "impact.v1.states.>")
    }
    assert by_subject == {
        "impact.v1.labels.>": {SCRAPER.name},
        "impact.v1.enterprises.>": {REGISTRY.name},
        "impact.v1.states.>": {REGISTRY.name},
    }


def test_each_stream_is_updated_by_exactly_one_service() -> None:
    updaters = {
        stream.name: [u.name for u in SERVICE_USERS if stream.name in u.owns] for stream in STREAMS
    }
    assert all(len(names) == 1 for names in updaters.values()), updaters


def test_the_gateway_names_its_durables_freely_but_never_the_notifiers() -> None:
    deny = permissions(GATEWAY)["publish"]["deny"]
    assert f"$JS.API.CONSUMER.*.ENTERPRISES.{NOTIFIER_MAIL}" in deny
    assert f"$JS.API.CONSUMER.MSG.NEXT.ENTERPRISES.{NOTIFIER_MAIL}" in deny
    assert f"$JS.ACK.ENTERPRISES.{NOTIFIER_MAIL}.>" in deny
    assert "deny" not in permissions(NOTIFIER)["publish"]  # names its durables exactly


def test_the_accounts_block_holds_every_service_user_with_its_password() -> None:
    passwords = {u.name: f"pw-{u.name}" for u in SERVICE_USERS}
    block = accounts_block(passwords)
    users = block[PLATFORM_ACCOUNT]["users"]
    assert [(u["user"], u["password"]) for u in users] == list(passwords.items())
    assert block[PLATFORM_ACCOUNT]["jetstream"] == "enabled"


def test_the_gateway_never_touches_a_regions_durables_either() -> None:
    from services.kit.nats_deployment import platform_accounts
    from services.kit.nats_regions import Region

    noord = Region("noord", ("Drenthe",))
    passwords = {u.name: "pw" for u in SERVICE_USERS} | {noord.user: "pw"}
    users = platform_accounts(passwords, [noord])[PLATFORM_ACCOUNT]["users"]
    gateway = next(u for u in users if u["user"] == GATEWAY.name)
    deny = gateway["permissions"]["publish"]["deny"]
    for stream in ("ENTERPRISES", "ENTERPRISE_STATES"):
        assert f"$JS.API.CONSUMER.*.{stream}.region-noord" in deny
        assert f"$JS.ACK.{stream}.region-noord.>" in deny


def test_only_the_gateway_publishes_mail_preferences_and_only_the_notifier_reads_them() -> None:
    from services.kit.nats_users import NOTIFIER_PREFERENCES

    subject = "impact.v1.preferences.mail"
    publishers = {u.name for u in (*SERVICE_USERS, DEMO) if subject in allowed(u)}
    assert publishers == {GATEWAY.name}
    assert "PREFERENCES" in GATEWAY.owns and "PREFERENCES" not in NOTIFIER.owns
    notifier = allowed(NOTIFIER)
    assert f"$JS.API.CONSUMER.MSG.NEXT.PREFERENCES.{NOTIFIER_PREFERENCES}" in notifier
    assert f"$JS.ACK.PREFERENCES.{NOTIFIER_PREFERENCES}.>" in notifier
    assert "$JS.API.STREAM.UPDATE.PREFERENCES" not in notifier
    # The gateway names no durable on PREFERENCES: it cannot read the choices back.
    assert not [s for s in allowed(GATEWAY) if s.startswith("$JS.API.CONSUMER.MSG.NEXT.PREF")]


def test_only_the_gateway_publishes_alerts_and_only_the_notifier_reads_them() -> None:
    from services.kit.nats_users import NOTIFIER_ALERTS

    publishers = {u.name for u in (*SERVICE_USERS, DEMO) if "impact.v1.alerts.>" in allowed(u)}
    assert publishers == {GATEWAY.name}
    assert "ALERTS" in GATEWAY.owns and "ALERTS" in NOTIFIER.reads
    notifier = allowed(NOTIFIER)
    assert "$JS.API.CONSUMER.MSG.NEXT.ALERTS.notifier-alerts" in notifier
    assert NOTIFIER_ALERTS == "notifier-alerts"
    readers = {u.name for u in SERVICE_USERS if "ALERTS" in (*u.reads, *u.owns)}
    assert readers == {GATEWAY.name, NOTIFIER.name}


def test_each_service_answers_only_its_own_health_and_the_gateway_asks_them_all() -> None:
    from contracts.subjects import health_subject
    from services.kit.nats_config import admin_permissions

    for user in SERVICE_USERS:
        health = [s for s in allowed(user, "subscribe") if s.startswith("impactoost.health")]
        assert health == [health_subject(user.name)], user.name
        assert permissions(user).get("allow_responses") is True, user.name
    askers = {u.name for u in (*SERVICE_USERS, DEMO) if "impactoost.health.*" in allowed(u)}
    assert askers == {GATEWAY.name}
    assert "impactoost.health.*" in admin_permissions()["publish"]["allow"]
