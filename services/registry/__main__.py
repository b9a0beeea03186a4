"""`python -m services.registry`: run the registry with settings from the environment."""

from __future__ import annotations

from services.kit.entry import run_service
from services.registry.config import RegistrySettings
from services.registry.main import serve

if __name__ == "__main__":
    run_service(RegistrySettings, serve)
