"""The building-block model for tests: the shipped file, and a test file with made-up factors."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.gateway.knowledge.library import Knowledge

TEST_MODEL = Path(__file__).resolve().parent / "bouwblokken-testdata.json"
"""Made-up factors (PSO 30+ 80%; Code/SENL 25% up to € 1.000; SW unconfirmed): never shipped."""


def with_test_model(app: FastAPI) -> None:
    """Make the app's calculator use the test model (a `client_for` `prepare`)."""
    app.state.knowledge = Knowledge(model_file=TEST_MODEL, allow_test_data=True)
