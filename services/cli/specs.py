"""Collect every service's AsyncAPI document, generated from its subscribers and publishers."""

from __future__ import annotations

import importlib
import json

SERVICES = ("scraper", "registry", "notifier", "gateway")


def asyncapi_documents() -> dict[str, str]:
    """Service name -> AsyncAPI JSON with sorted keys (stable to diff), built offline."""
    documents = {}
    for name in SERVICES:
        generated = importlib.import_module(f"services.{name}.main").asyncapi_json()
        documents[name] = json.dumps(json.loads(generated), indent=2, sort_keys=True)
    return documents
