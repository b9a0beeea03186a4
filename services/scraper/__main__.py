"""`python -m services.scraper`: run the scraper service until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio

from services.kit.settings import load_settings
from services.scraper.config import ScraperSettings
from services.scraper.main import serve

if __name__ == "__main__":
    asyncio.run(serve(load_settings(ScraperSettings)))
