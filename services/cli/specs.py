"""Collect every service's AsyncAPI document, generated from its subscribers and publishers."""

from __future__ import annotations

import importlib

SERVICES = ("scraper", "registry", "notifier", "gateway")


def asyncapi_documents() -> dict[str, str]:
    """Service name -> AsyncAPI JSON, built without connecting to anything."""
    return {
        name: importlib.import_module(f"services.{name}.main").asyncapi_json() for name in SERVICES
    }
