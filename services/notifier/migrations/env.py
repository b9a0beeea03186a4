"""Alembic's environment for the notifier: the kit's (services/kit/alembic_env.py), for the
notifier's tables."""

from __future__ import annotations

from services.kit.alembic_env import run_environment
from services.notifier.schema import metadata

run_environment(metadata)
