"""Editors' sign-in on NATS: only the gateway grants (it holds the operator's list of
editors), only the notifier issues links, and the notifier's durable stays its own."""

from __future__ import annotations

import pytest

from services.kit.nats_config import permissions
from services.kit.nats_users import (
    DEMO,
    GATEWAY,
    NOTIFIER,
    NOTIFIER_EDITOR_SIGNINS,
    SERVICE_USERS,
)

pytestmark = pytest.mark.unit


def publishers(subject: str) -> set[str]:
    return {u.name for u in (*SERVICE_USERS, DEMO) if subject in permissions(u)["publish"]["allow"]}


def test_only_the_gateway_grants_an_editor_sign_in() -> None:
    assert publishers("impact.v1.signin.editor_granted") == {GATEWAY.name}


def test_only_the_notifier_issues_an_editor_link() -> None:
    assert publishers("impact.v1.signin.editor_link_issued") == {NOTIFIER.name}


def test_the_notifier_reads_editor_grants_on_a_durable_the_gateway_cannot_touch() -> None:
    allowed = permissions(NOTIFIER)["publish"]["allow"]
    assert f"$JS.API.CONSUMER.MSG.NEXT.SIGNINS.{NOTIFIER_EDITOR_SIGNINS}" in allowed
    deny = permissions(GATEWAY)["publish"]["deny"]
    assert f"$JS.API.CONSUMER.*.SIGNINS.{NOTIFIER_EDITOR_SIGNINS}" in deny
    assert f"$JS.ACK.SIGNINS.{NOTIFIER_EDITOR_SIGNINS}.>" in deny
