"""`python -m services.scraper`: run the scraper service until SIGINT/SIGTERM."""

from __future__ import annotations

from services.kit.entry import run_service
from services.scraper.config import ScraperSettings
from services.scraper.main import serve

if __name__ == "__main__":
    run_service(ScraperSettings, serve)
