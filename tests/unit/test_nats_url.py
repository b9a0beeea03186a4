"""A NATS URL names one server or the nodes of a cluster; clients get them as a list."""

from __future__ import annotations

import pytest

from services.kit.settings import ConfigError, KitSettings, load_settings, nats_servers

pytestmark = pytest.mark.unit


def test_a_comma_separated_url_is_every_node_of_the_cluster() -> None:
    url = "nats://nats-1:4222, nats://nats-2:4222,tls://nats-3:4222"
    assert nats_servers(url) == ["nats://nats-1:4222", "nats://nats-2:4222", "tls://nats-3:4222"]
    assert nats_servers("nats://127.0.0.1:4222") == ["nats://127.0.0.1:4222"]


def test_the_setting_takes_a_list_of_nodes_and_refuses_anything_else() -> None:
    nodes = "nats://a:4222,nats://b:4222,nats://c:4222"
    assert load_settings(KitSettings, nats_url=nodes).nats_url == nodes
    for bad in ("nats://a:4222,", "nats://a:4222,http://b", "a:4222"):
        with pytest.raises(ConfigError, match="IMPACTOOST_NATS_URL"):
            load_settings(KitSettings, nats_url=bad)
