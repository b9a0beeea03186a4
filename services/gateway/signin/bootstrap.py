"""The sign-in's parts, wired once: settings, read model engine, secret, limits, publisher."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine

from contracts.base import utc_now
from services.gateway.config import GatewaySettings
from services.gateway.signin.csrf import Csrf
from services.gateway.signin.publishing import AbstractPublisher
from services.gateway.signin.rate_limit import SignInLimits, SlidingWindow
from services.gateway.signin.secret import ServerSecret


@dataclass
class SignIn:
    """Everything the sign-in pages and their use cases need; tests swap the publisher and
    the clocks."""

    settings: GatewaySettings
    engine: Engine
    secret: ServerSecret
    csrf: Csrf
    limits: SignInLimits
    publisher: AbstractPublisher
    now: Callable[[], datetime] = field(default=utc_now)
    monotonic: Callable[[], float] = field(default=time.monotonic)

    @property
    def session_length(self) -> timedelta:
        """How long a session lasts."""
        return timedelta(hours=self.settings.gateway_session_hours)


def bootstrap_signin(
    settings: GatewaySettings, engine: Engine, publisher: AbstractPublisher
) -> SignIn:
    """Wire the sign-in; reads no file and opens no connection (the secret is read at
    start-up or first use)."""
    secret = ServerSecret(settings.secret_file, generate=settings.gateway_secret_file is None)
    window = settings.gateway_signin_limit_window_minutes * 60.0
    limits = SignInLimits(
        per_address=SlidingWindow(settings.gateway_signin_limit_per_address, window),
        per_client=SlidingWindow(settings.gateway_signin_limit_per_client, window),
    )
    return SignIn(
        settings=settings,
        engine=engine,
        secret=secret,
        csrf=Csrf(secret, secure=settings.secure_cookies),
        limits=limits,
        publisher=publisher,
    )
