"""Alembic's environment for the registry: the kit's (services/kit/alembic_env.py), for the
registry's tables."""

from __future__ import annotations

from services.kit.alembic_env import run_environment
from services.registry.adapters.tables import metadata

run_environment(metadata)
