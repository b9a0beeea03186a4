"""The API docs (`/docs`, Swagger UI) with their scripts and styles served from here, not from
a CDN: the bundle is fastapi-offline's copy, the starter our own static file (the one FastAPI
writes inline would break the Content-Security-Policy). There is no ReDoc page: its bundle
always fetches Redocly's logo from their CDN."""

from __future__ import annotations

from html import escape
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from services.gateway.web.hosts import PublicAddress
from services.gateway.web.links import file_version

DOCS_ASSETS = Path(str(files("fastapi_offline") / "static"))
ASSETS_PATH = "/docs/static"


def install_docs(app: FastAPI, public: PublicAddress, static_dir: Path) -> None:
    """Serve /docs (the app must be made with docs_url=None and redoc_url=None)."""
    assets = public.path(ASSETS_PATH)
    openapi = public.path(app.openapi_url or "/openapi.json")
    favicon = public.path("/favicon.ico")

    def asset(name: str) -> str:
        return f"{assets}/{name}?v={file_version(DOCS_ASSETS / name)}"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        starter = public.path(
            f"/static/swagger-start.js?v={file_version(static_dir / 'swagger-start.js')}"
        )
        return HTMLResponse(
            SWAGGER_PAGE.format(
                title=escape(f"{app.title} – Swagger UI"),
                css=asset("swagger-ui.css"),
                bundle=asset("swagger-ui-bundle.js"),
                starter=starter,
                openapi=escape(openapi),
                favicon=favicon,
            )
        )

    app.mount(ASSETS_PATH, StaticFiles(directory=DOCS_ASSETS), name="docs_static")


SWAGGER_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="{favicon}">
<link rel="stylesheet" href="{css}">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi}"></div>
<script src="{bundle}"></script>
<script src="{starter}"></script>
</body>
</html>
"""
