"""Web hygiene for the gateway: trusted hosts and public links, security headers, HEAD,
compression, ETag / Cache-Control, CORS on the API, the API docs served from here, a favicon,
and a plain 500 that carries the security headers too."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, PlainTextResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.middleware.gzip import GZipMiddleware

from services.gateway.config import GatewaySettings
from services.gateway.web.caching import ASSET, Revalidation
from services.gateway.web.docs import install_docs
from services.gateway.web.front import FrontDoor
from services.gateway.web.headers import security_headers
from services.gateway.web.hosts import PublicAddress, TrustedHosts
from services.gateway.web.links import install_public_links

GZIP_MINIMUM_BYTES = 1024
GZIP_LEVEL = 6  # zlib's default: most of level 9's gain for a fraction of its time


def install_web_hygiene(
    app: FastAPI, settings: GatewaySettings, templates: Jinja2Templates, static_dir: Path
) -> None:
    """Wire it all into `app` (made with docs_url=None and redoc_url=None)."""
    public = PublicAddress.of(settings.public_base_url)
    install_public_links(templates, app.router, public, static_dir)
    install_docs(app, public, static_dir)
    _install_favicon(app, static_dir / "favicon.ico")
    _install_server_error(app, secure=public.scheme == "https")
    # Added innermost first: FrontDoor sees the request first, Revalidation last, so the ETag
    # is made from the uncompressed body and HEAD has become GET by then.
    app.add_middleware(Revalidation)
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES, compresslevel=GZIP_LEVEL)
    app.add_middleware(FrontDoor, hosts=TrustedHosts.of(settings.allowed_hosts), public=public)


def _install_favicon(app: FastAPI, icon: Path) -> None:
    @app.get("/favicon.ico", include_in_schema=False, name="favicon")
    async def favicon() -> FileResponse:
        return FileResponse(
            icon, media_type="image/x-icon", headers={"Cache-Control": ASSET.decode()}
        )


def _install_server_error(app: FastAPI, *, secure: bool) -> None:
    """An unexpected error answers a plain 500 from outside the middleware (Starlette sends it
    from its outermost layer), so it brings the security headers itself."""
    headers = {k.decode(): v.decode() for k, v in security_headers(secure=secure)[0]}

    async def server_error(request: Request, exc: Exception) -> Response:
        return PlainTextResponse(
            "Er ging iets mis. Probeer het later nog eens.\n", 500, headers=headers
        )

    app.add_exception_handler(Exception, server_error)
