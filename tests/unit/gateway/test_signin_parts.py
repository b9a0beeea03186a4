"""The sign-in's small parts on their own: the server secret, the sliding window, the form's
prefill, and a composition that reads no file until start-up."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from contracts.supplements import BuyersContact, ListingSupplement
from services.gateway.config import GatewaySettings
from services.gateway.main import create_app
from services.gateway.signin.form import SupplementForm, check_supplement
from services.gateway.signin.rate_limit import SignInLimits, SlidingWindow
from services.gateway.signin.secret import ServerSecret
from services.kit.settings import ConfigError, load_settings

pytestmark = pytest.mark.unit


def test_the_default_secret_is_generated_once_readable_only_by_its_owner(tmp_path: Path) -> None:
    path = tmp_path / "data" / "gateway-secret"
    first = ServerSecret(path, generate=True).value()
    again = ServerSecret(path, generate=True).value()
    assert first == again and len(first) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_configured_secret_file_is_never_generated(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the gateway secret"):
        ServerSecret(tmp_path / "missing", generate=False).value()
    short = tmp_path / "short"
    short.write_text("kort")
    with pytest.raises(ConfigError, match="at least 32"):
        ServerSecret(short, generate=False).value()


def test_creating_the_app_reads_and_writes_no_secret(tmp_path: Path) -> None:
    settings = GatewaySettings(gateway_database_url="sqlite://", data_dir=tmp_path)
    app = create_app(settings)
    assert not (tmp_path / "gateway-secret").exists()
    assert app.state.signin.secret.path == tmp_path / "gateway-secret"


def test_settings_are_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMPACTOOST_PUBLIC_BASE_URL", "https://impact.example")
    monkeypatch.setenv("IMPACTOOST_GATEWAY_SECRET_FILE", "/run/secrets/gateway")
    settings = load_settings(GatewaySettings)
    assert settings.secure_cookies and settings.secret_file == Path("/run/secrets/gateway")
    assert (settings.gateway_signin_limit_per_address, settings.gateway_session_hours) == (3, 2)
    monkeypatch.setenv("IMPACTOOST_GATEWAY_SIGNIN_LIMIT_PER_CLIENT", "0")
    with pytest.raises(ConfigError, match="GATEWAY_SIGNIN_LIMIT_PER_CLIENT"):
        load_settings(GatewaySettings)
    monkeypatch.setenv("IMPACTOOST_GATEWAY_SIGNIN_LIMIT_PER_CLIENT", "10")
    monkeypatch.setenv("IMPACTOOST_PUBLIC_BASE_URL", "javascript:alert(1)")
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        load_settings(GatewaySettings)


def test_the_window_forgets_hits_older_than_itself() -> None:
    window = SlidingWindow(limit=2, window_seconds=60)
    window.record("a", 0)
    window.record("a", 30)
    assert not window.allows("a", 59)
    assert window.allows("a", 61)
    assert window.allows("b", 0)


def test_a_request_refused_by_one_limit_counts_for_neither() -> None:
    limits = SignInLimits(SlidingWindow(1, 60), SlidingWindow(5, 60))
    assert limits.admit("a@example.org", "client", 0)
    assert not limits.admit("a@example.org", "client", 1)
    assert limits.per_client.allows("client", 1)
    assert len(limits.per_client._hits["client"]) == 1


def test_the_window_stays_bounded_by_forgetting_idle_keys() -> None:
    window = SlidingWindow(limit=1, window_seconds=10, max_keys=3)
    for n in range(3):
        window.record(f"k{n}", 0)
    window.record("new", 100)
    assert set(window._hits) == {"new"}


def test_the_form_is_prefilled_with_the_current_supplement() -> None:
    supplement = ListingSupplement(
        description="Lunch & vergaderen",
        categories=("catering",),
        keywords=("lunch", "soep"),
        delivery_areas=("Enschede", "Twente"),
        contact=BuyersContact(name="Anna", phone="0531234567"),
        updated_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    form = SupplementForm.from_supplement(supplement)
    assert form == SupplementForm(
        description="Lunch & vergaderen",
        categories=("catering",),
        keywords="lunch, soep",
        delivery_areas="Enschede, Twente",
        contact_name="Anna",
        contact_phone="0531234567",
    )
    checked = check_supplement(form)
    assert checked.errors == {}
    assert checked.supplement is not None
    assert checked.supplement.model_dump() == supplement.model_dump(
        exclude={"updated_at", "hidden"}
    )


def test_a_nationwide_supplement_prefills_the_checkbox() -> None:
    form = SupplementForm.from_supplement(
        ListingSupplement(delivery_areas=("heel Nederland",), updated_at=datetime.now(UTC))
    )
    assert form.nationwide and form.delivery_areas == ""
