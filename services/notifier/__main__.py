"""`python -m services.notifier`: run the notifier with settings from the environment."""

from __future__ import annotations

from services.kit.entry import run_service
from services.notifier.config import NotifierSettings
from services.notifier.main import serve

if __name__ == "__main__":
    run_service(NotifierSettings, serve)
