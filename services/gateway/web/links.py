"""Links in the pages: root-relative paths under the public base URL's path, never built from
the request's `Host`; static files carry their content's version so they can be kept long."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from starlette.routing import Router

from services.gateway.web.hosts import PublicAddress


def install_public_links(
    templates: Jinja2Templates, router: Router, public: PublicAddress, static_dir: Path
) -> None:
    """Replace the templates' `url_for` (Starlette's builds absolute URLs from the request)."""

    def url_for(name: str, /, **path_params: Any) -> str:
        link = public.path(str(router.url_path_for(name, **path_params)))
        if name == "static":
            return f"{link}?v={file_version(static_dir / path_params['path'])}"
        return link

    templates.env.globals["url_for"] = url_for


@cache
def file_version(path: Path) -> str:
    """A short hash of a file's content, read once per process."""
    return hashlib.blake2b(path.read_bytes(), digest_size=6).hexdigest()
