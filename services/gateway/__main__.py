"""`python -m services.gateway`: serve the buyers' gateway with settings from the environment."""

from __future__ import annotations

import asyncio
import sys

from services.gateway.config import GatewaySettings
from services.gateway.main import serve
from services.kit.settings import ConfigError, load_settings


def main() -> None:
    """Read settings, then serve until SIGINT/SIGTERM."""
    try:
        settings = load_settings(GatewaySettings)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
