"""Dutch presentation helpers and the gateway's settings."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from contracts.labels import LABEL_DISPLAY_NAMES, LABELS
from services.gateway.config import GatewaySettings
from services.gateway.labels import level_text
from services.gateway.pages.formatting import (
    date_nl,
    datetime_nl,
    found_text,
    mailto_url,
    tel_url,
)
from services.gateway.read_model.views import web_url
from services.kit.settings import ConfigError, load_settings

pytestmark = pytest.mark.unit


def test_every_label_has_a_dutch_display_name() -> None:
    assert set(LABEL_DISPLAY_NAMES) == set(LABELS)


@pytest.mark.parametrize(
    ("level", "pso30plus", "text"),
    [
        ("trede-3", False, "Trede 3"),
        ("trede-3", True, "Trede 3, PSO 30+"),
        (None, True, "PSO 30+"),
        ("basistrede", False, "Basistrede"),
        ("boost", False, "BOOST-lid"),
        ("sociaal-ontwikkelbedrijf", False, "Sociaal ontwikkelbedrijf"),
        (None, False, None),
    ],
)
def test_levels_read_as_published(level: str | None, pso30plus: bool, text: str | None) -> None:
    assert level_text(level, pso30plus) == text


def test_dates_and_times_are_dutch_and_local() -> None:
    assert date_nl(date(2026, 3, 12)) == "12 maart 2026"
    assert datetime_nl(datetime(2026, 3, 12, 13, 5, tzinfo=UTC)) == "12 maart 2026 om 14:05"
    assert datetime_nl(datetime(2025, 7, 31, 22, 30, tzinfo=UTC)) == "1 augustus 2025 om 00:30"
    assert date_nl(None) == datetime_nl(None) == ""


@pytest.mark.parametrize(
    ("total", "text"),
    [
        (0, "Geen ondernemingen gevonden"),
        (1, "1 onderneming gevonden"),
        (12, "12 ondernemingen gevonden"),
        (1234, "1.234 ondernemingen gevonden"),
    ],
)
def test_result_count_reads_naturally(total: int, text: str) -> None:
    assert found_text(total) == text


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://soweco.nl/", "https://soweco.nl/"),
        ("http://example.org/a?b=1", "http://example.org/a?b=1"),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt:alert(1)", None),
        ("data:text/html,x", None),
        ("//evil.example/", None),
        ("https://[::1", None),
        (None, None),
    ],
)
def test_only_http_links_are_rendered(url: str | None, safe: str | None) -> None:
    assert web_url(url) == safe


def test_settings_come_from_impactoost_gateway_variables(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("IMPACTOOST_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("IMPACTOOST_GATEWAY_PORT", "8123")
    monkeypatch.setenv("IMPACTOOST_GATEWAY_CONSUMER", "gateway-eu")
    settings = load_settings(GatewaySettings)
    assert (settings.gateway_host, settings.gateway_port) == ("127.0.0.1", 8123)
    assert settings.gateway_consumer == "gateway-eu"
    assert settings.database_url == f"sqlite:///{tmp_path / 'gateway.db'}"
    monkeypatch.setenv("IMPACTOOST_GATEWAY_DATABASE_URL", "postgresql+psycopg://db/gateway")
    assert load_settings(GatewaySettings).database_url == "postgresql+psycopg://db/gateway"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("IMPACTOOST_GATEWAY_CONSUMER", "gateway.read model"),
        ("IMPACTOOST_GATEWAY_PORT", "0"),
    ],
)
def test_invalid_settings_fail_in_one_readable_line(
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    value: str,
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        load_settings(GatewaySettings)


@pytest.mark.parametrize(
    ("address", "url"),
    [
        ("inkoop@branderij.example", "mailto:inkoop@branderij.example"),
        ("a?cc=evil@example.com", "mailto:a%3Fcc%3Devil@example.com"),
        ("x&body=hoi%20@example.com", "mailto:x%26body%3Dhoi%2520@example.com"),
    ],
)
def test_mail_links_open_a_mail_to_exactly_the_address(address: str, url: str) -> None:
    assert mailto_url(address) == url


@pytest.mark.parametrize(
    ("phone", "url"),
    [
        ("0612345678", "tel:0612345678"),
        ("+31570123456", "tel:+31570123456"),
        ("06-1234", "tel:061234"),
    ],
)
def test_phone_links_hold_only_digits_and_a_leading_plus(phone: str, url: str) -> None:
    assert tel_url(phone) == url
