"""The editors' dependency, read from `app.state` (set by `create_app`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.gateway.editors.bootstrap import Editors


async def get_editors(request: Request) -> Editors:
    """The editors' wired parts (see bootstrap_editors)."""
    editors: Editors = request.app.state.editors
    return editors


EditorsDep = Annotated[Editors, Depends(get_editors)]
