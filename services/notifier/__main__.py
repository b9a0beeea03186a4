"""`python -m services.notifier`: run the notifier with settings from the environment."""

from __future__ import annotations

import asyncio
import sys

from services.kit.settings import ConfigError, load_settings
from services.notifier.config import NotifierSettings
from services.notifier.main import serve


def main() -> None:
    """Load settings, then serve until stopped."""
    try:
        settings = load_settings(NotifierSettings)
    except ConfigError as exc:
        sys.exit(str(exc))
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
