"""Read-model access for requests: one worker-thread hop per request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

P = ParamSpec("P")
T = TypeVar("T")


class Reader:
    """Runs a function of a session in a worker thread, with a session of its own that is
    opened, used and closed in that thread (one transaction, so one snapshot).

    FastAPI runs each sync dependency and each sync endpoint in the thread pool, one hop each,
    and a session dependency takes two (entering and leaving). For a look-up by key those hops
    cost more than the query, so every request reads through a single call of this.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    async def __call__(
        self, work: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        return await run_in_threadpool(self._run, work, *args, **kwargs)

    def _run(
        self, work: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        with Session(self._engine) as session:
            return work(session, *args, **kwargs)
