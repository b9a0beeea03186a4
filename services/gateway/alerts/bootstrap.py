"""The alerts' parts, wired once: they share the sign-in's secret, CSRF and publisher, and
have rate limits of their own with the same settings."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine

from contracts.base import utc_now
from services.gateway.alerts.links import PublicLinks
from services.gateway.config import GatewaySettings
from services.gateway.signin.bootstrap import SignIn
from services.gateway.signin.csrf import Csrf
from services.gateway.signin.publishing import AbstractPublisher
from services.gateway.signin.rate_limit import SignInLimits, SlidingWindow
from services.gateway.signin.secret import ServerSecret


@dataclass
class Alerts:
    """Everything the alert pages, the digests and the purge need; tests swap the publisher
    and the clocks."""

    settings: GatewaySettings
    engine: Engine
    secret: ServerSecret
    csrf: Csrf
    limits: SignInLimits
    publisher: AbstractPublisher
    links: PublicLinks
    now: Callable[[], datetime] = field(default=utc_now)
    monotonic: Callable[[], float] = field(default=time.monotonic)

    @property
    def confirm_within(self) -> timedelta:
        """How long an alert waits for its confirmation."""
        return timedelta(hours=self.settings.gateway_alert_confirm_hours)


def bootstrap_alerts(settings: GatewaySettings, engine: Engine, signin: SignIn) -> Alerts:
    """Wire the alerts next to the sign-in; reads no file and opens no connection."""
    window = settings.gateway_signin_limit_window_minutes * 60.0
    limits = SignInLimits(
        per_address=SlidingWindow(settings.gateway_signin_limit_per_address, window),
        per_client=SlidingWindow(settings.gateway_signin_limit_per_client, window),
    )
    return Alerts(
        settings=settings,
        engine=engine,
        secret=signin.secret,
        csrf=signin.csrf,
        limits=limits,
        publisher=signin.publisher,
        links=PublicLinks(settings.public_base_url),
    )
