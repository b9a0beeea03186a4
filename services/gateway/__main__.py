"""`python -m services.gateway`: serve the buyers' gateway with settings from the environment."""

from __future__ import annotations

from services.gateway.config import GatewaySettings
from services.gateway.main import serve
from services.kit.entry import run_service

if __name__ == "__main__":
    run_service(GatewaySettings, serve)
