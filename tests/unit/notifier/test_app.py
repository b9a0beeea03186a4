"""Settings come from IMPACTOOST_ variables; the app is built and described without connecting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.kit.settings import ConfigError, load_settings
from services.notifier.config import NotifierSettings
from services.notifier.main import asyncapi_json, create_app

pytestmark = pytest.mark.unit


def test_settings_read_the_documented_environment_variables(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    env = {
        "IMPACTOOST_NOTIFIER_DATABASE_URL": "sqlite:////tmp/n.db",
        "IMPACTOOST_NOTIFIER_CONTACTS_FILE": str(tmp_path / "contacts.csv"),
        "IMPACTOOST_SMTP_HOST": "mail.example",
        "IMPACTOOST_SMTP_PORT": "587",
        "IMPACTOOST_SMTP_USERNAME": "u",
        "IMPACTOOST_SMTP_PASSWORD": "geheim",
        "IMPACTOOST_SMTP_STARTTLS": "true",
        "IMPACTOOST_MAIL_FROM": "Impact <a@b.example>",
        "IMPACTOOST_PLATFORM_NAME": "Impact West",
        "IMPACTOOST_PUBLIC_BASE_URL": "https://impact.example",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(NotifierSettings)
    assert settings.database_url == "sqlite:////tmp/n.db"
    assert settings.notifier_contacts_file == tmp_path / "contacts.csv"
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_starttls) == (
        "mail.example",
        587,
        True,
    )
    assert settings.smtp_password is not None
    assert settings.smtp_password.get_secret_value() == "geheim"
    assert "geheim" not in repr(settings)
    assert (settings.platform_name, settings.public_base_url) == (
        "Impact West",
        "https://impact.example",
    )


def test_the_database_defaults_to_the_data_directory(tmp_path: Path) -> None:
    settings = NotifierSettings(data_dir=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path}/notifier.db"
    assert settings.platform_name == "Impact Oost"
    assert settings.public_base_url == "http://127.0.0.1:8000"


def test_an_invalid_port_is_one_readable_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMPACTOOST_SMTP_PORT", "zeventig")
    with pytest.raises(ConfigError, match="IMPACTOOST_SMTP_PORT"):
        load_settings(NotifierSettings)


def test_the_app_is_built_without_connecting_or_touching_disk(tmp_path: Path) -> None:
    settings = NotifierSettings(data_dir=tmp_path / "var", nats_url="nats://127.0.0.1:1")
    app = create_app(settings)
    assert app.broker is not None
    assert not (tmp_path / "var").exists()


def test_the_asyncapi_document_describes_the_durable_enterprise_consumer(tmp_path: Path) -> None:
    document = json.loads(asyncapi_json(NotifierSettings(data_dir=tmp_path)))
    assert document["info"]["title"] == "impactoost notifier"
    channel = document["channels"]["notifier-mail:on_enterprise_event"]
    assert channel["address"] == "impact.v1.enterprises.*.*.*"


def test_the_asyncapi_document_describes_the_sign_in_consumer_and_the_link_publisher(
    tmp_path: Path,
) -> None:
    document = json.loads(asyncapi_json(NotifierSettings(data_dir=tmp_path)))
    addresses = {name: channel["address"] for name, channel in document["channels"].items()}
    assert addresses["notifier-signins:on_signin_granted"] == "impact.v1.signin.granted"
    assert addresses["notifier.to_signin_link_issued"] == "impact.v1.signin.link_issued"
    assert {"SignInGranted", "SignInLinkIssued"} <= set(document["components"]["schemas"])


def test_the_asyncapi_document_describes_the_mail_preference_consumer(tmp_path: Path) -> None:
    document = json.loads(asyncapi_json(NotifierSettings(data_dir=tmp_path)))
    channel = document["channels"]["notifier-preferences:on_mail_preference_changed"]
    assert channel["address"] == "impact.v1.preferences.mail"
    assert "MailPreferenceChanged" in document["components"]["schemas"]


def test_the_quiet_period_is_read_from_its_variable_and_never_negative(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IMPACTOOST_MAIL_QUIET_SECONDS", "15")
    assert load_settings(NotifierSettings).mail_quiet_seconds == 15
    monkeypatch.setenv("IMPACTOOST_MAIL_QUIET_SECONDS", "-1")
    with pytest.raises(ConfigError, match="IMPACTOOST_MAIL_QUIET_SECONDS"):
        load_settings(NotifierSettings)
