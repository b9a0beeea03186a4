"""Turn expected failures into one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

P = ParamSpec("P")
R = TypeVar("R")


class UsageError(Exception):
    """The command was called with arguments that cannot work."""


def _expected_errors() -> tuple[type[BaseException], ...]:
    import alembic.util
    import httpx
    import nats.errors
    import sqlalchemy.exc

    from services.kit.processes import StartupError
    from services.kit.settings import ConfigError

    return (
        ConfigError,
        UsageError,
        httpx.HTTPError,
        nats.errors.Error,
        OSError,
        TimeoutError,
        StartupError,
        sqlalchemy.exc.OperationalError,
        alembic.util.CommandError,
    )


def _one_line(exc: BaseException) -> str:
    """The error's message on one line; for a database error, the driver's own words (without
    SQLAlchemy's statement and link)."""
    import sqlalchemy.exc

    if isinstance(exc, sqlalchemy.exc.DBAPIError) and exc.orig is not None:
        message = f"database: {exc.orig}"
    else:
        message = str(exc) or type(exc).__name__
    return " ".join(message.split())


def fail_cleanly(command: Callable[P, R]) -> Callable[P, R]:
    """Report expected errors in one line (exit 2 for usage/config, 1 otherwise)."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        except _expected_errors() as exc:
            from services.kit.settings import ConfigError

            code = 2 if isinstance(exc, ConfigError | UsageError) else 1
            typer.echo(f"impactoost: error: {_one_line(exc)}", err=True)
            raise typer.Exit(code) from None

    return wrapper
