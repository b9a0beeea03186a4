"""Wires the knowledge pages and the SROI calculator into the gateway app."""

from __future__ import annotations

from fastapi import FastAPI

from services.gateway.knowledge import pages
from services.gateway.knowledge.library import Knowledge
from services.gateway.knowledge.sroi import factor_nl, money_nl


def install_knowledge(app: FastAPI, knowledge: Knowledge | None = None) -> None:
    """Serve `/kennis`, and give the templates the knowledge and its Dutch number formats;
    nothing is read until first use or `app.state.knowledge.load()`."""
    app.state.knowledge = knowledge or Knowledge()
    app.state.templates.env.filters.update(money_nl=money_nl, factor_nl=factor_nl)
    app.include_router(pages.router)
