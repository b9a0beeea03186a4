"""A NATS URL names one server or the nodes of a cluster; clients get them as a list, with
their credentials from the settings and an inbox of their own."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.kit.nats_access import NatsAccess
from services.kit.settings import ConfigError, KitSettings, load_settings

pytestmark = pytest.mark.unit


def test_a_comma_separated_url_is_every_node_of_the_cluster() -> None:
    url = "nats://nats-1:4222, nats://nats-2:4222,tls://nats-3:4222"
    assert NatsAccess(url).servers == [
        "nats://nats-1:4222",
        "nats://nats-2:4222",
        "tls://nats-3:4222",
    ]
    assert NatsAccess("nats://127.0.0.1:4222").servers == ["nats://127.0.0.1:4222"]


def test_the_setting_takes_a_list_of_nodes_and_refuses_anything_else() -> None:
    nodes = "nats://a:4222,nats://b:4222,nats://c:4222"
    assert load_settings(KitSettings, nats_url=nodes).nats_url == nodes
    for bad in ("nats://a:4222,", "nats://a:4222,http://b", "a:4222"):
        with pytest.raises(ConfigError, match="IMPACTOOST_NATS_URL"):
            load_settings(KitSettings, nats_url=bad)


def test_a_user_gets_an_inbox_of_its_own_and_its_password_never_shows(tmp_path: Path) -> None:
    secret = tmp_path / "registry.password"
    secret.write_text("s3cret-value\n")
    settings = load_settings(KitSettings, nats_user="registry", nats_password_file=secret)
    access = settings.nats()
    assert access.connect_options() | {"servers": []} == {
        "servers": [],
        "inbox_prefix": "_INBOX_registry",
        "user": "registry",
        "password": "s3cret-value",
    }
    embedded = NatsAccess("nats://gateway:pw1@127.0.0.1:4222,nats://gateway:pw1@127.0.0.2:4222")
    assert embedded.inbox_prefix == "_INBOX_gateway"
    # The connection's own credentials: a node the cluster announces needs them too.
    assert embedded.connect_options() == {
        "servers": ["nats://127.0.0.1:4222", "nats://127.0.0.2:4222"],
        "inbox_prefix": "_INBOX_gateway",
        "user": "gateway",
        "password": "pw1",
    }
    assert "pw1" not in embedded.url and "s3cret" not in repr(access)  # logged as they are
    assert NatsAccess("nats://127.0.0.1:4222").inbox_prefix == "_INBOX"


def test_credentials_settings_that_cannot_work_are_refused_at_start(tmp_path: Path) -> None:
    seed = tmp_path / "user.nk"
    seed.write_text("SU...")
    cases = {
        "choose one of a user and an nkey file": {"nats_user": "a", "nats_nkey_file": seed},
        "a NATS password needs IMPACTOOST_NATS_USER": {"nats_password": "x"},
        "no file at": {"nats_creds_file": tmp_path / "missing.creds"},
    }
    for message, overrides in cases.items():
        with pytest.raises(ConfigError, match=message):
            load_settings(KitSettings, **overrides)
    with pytest.raises(ConfigError, match="IMPACTOOST_NATS_INBOX_PREFIX"):
        load_settings(KitSettings, nats_inbox_prefix="_INBOX.>")
