"""`python -m services.<name>`: the same thin entry point for every service."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from services.kit.settings import ConfigError, KitSettings, load_settings

S = TypeVar("S", bound=KitSettings)


def run_service(settings_class: type[S], serve: Callable[[S], Coroutine[Any, Any, None]]) -> None:
    """Read the settings (a bad one is a one-line error, exit 2), then serve until stopped;
    a NATS server that cannot be reached at start-up is a one-line error too (exit 1)."""
    try:
        settings = load_settings(settings_class)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None
    try:
        asyncio.run(serve(settings))
    except ConnectionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None
