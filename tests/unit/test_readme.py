"""The README documents every setting the services read."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

README = Path(__file__).resolve().parents[2] / "README.md"
SETTINGS = {
    "scraper": "ScraperSettings",
    "registry": "RegistrySettings",
    "notifier": "NotifierSettings",
    "gateway": "GatewaySettings",
}


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_every_setting_of_the_service_is_in_the_readme(service: str) -> None:
    config = importlib.import_module(f"services.{service}.config")
    fields = getattr(config, SETTINGS[service]).model_fields
    text = README.read_text(encoding="utf-8")
    missing = [name for name in fields if f"IMPACTOOST_{name.upper()}" not in text]
    assert missing == []
