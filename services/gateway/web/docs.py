"""The API docs (`/docs`, `/redoc`) with their scripts and styles served from here, not from a
CDN: the bundles are fastapi-offline's copies, Swagger UI's starter is our own static file (the
one FastAPI writes inline would break the Content-Security-Policy)."""

from __future__ import annotations

from html import escape
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from services.gateway.web.hosts import PublicAddress
from services.gateway.web.links import file_version

DOCS_ASSETS = Path(str(files("fastapi_offline") / "static"))
ASSETS_PATH = "/docs/static"


def install_docs(app: FastAPI, public: PublicAddress, static_dir: Path) -> None:
    """Serve /docs and /redoc (the app must be made with docs_url=None, redoc_url=None)."""
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

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi,
            title=f"{app.title} – ReDoc",
            redoc_js_url=asset("redoc.standalone.js"),
            redoc_favicon_url=favicon,
            with_google_fonts=False,
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
