"""`python -m services.scraper`: run the scraper service until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import sys

from services.kit.settings import ConfigError, load_settings
from services.scraper.config import ScraperSettings
from services.scraper.main import serve


def main() -> None:
    """Read settings (a bad one is a one-line error), then serve until stopped."""
    try:
        settings = load_settings(ScraperSettings)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
