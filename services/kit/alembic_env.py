"""What every service's Alembic environment (`migrations/env.py`) does: the database comes
from the caller, never from settings read at import. The service's `migrate` passes its open
connection in `config.attributes["connection"]`; the `alembic` command line passes a URL
(`-x url=...` or `sqlalchemy.url`)."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection, Engine, MetaData, create_engine, pool
from sqlmodel.sql.sqltypes import AutoString


def run_environment(metadata: MetaData) -> None:
    """Run the migrations Alembic asked for, for the tables of `metadata`."""
    if context.is_offline_mode():
        _offline(metadata)
    else:
        _online(metadata)


def _url() -> str:
    config = context.config
    url = context.get_x_argument(as_dictionary=True).get("url")
    url = url or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("no database: pass -x url=<SQLAlchemy URL> or set sqlalchemy.url")
    return url


def _render_item(type_: str, obj: Any, _context: AutogenContext) -> str | Literal[False]:
    """Autogenerate writes SQLModel's AutoString as a plain sa.String, so revisions import
    nothing of SQLModel."""
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


def _configure(metadata: MetaData, **options: Any) -> None:
    context.configure(
        target_metadata=metadata,
        compare_type=True,
        render_item=_render_item,
        **options,
    )


def _run_on(metadata: MetaData, connection: Connection) -> None:
    # SQLite alters little in place; batch mode lets later revisions recreate a table instead.
    _configure(metadata, connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def _offline(metadata: MetaData) -> None:
    """`alembic upgrade --sql`: print the SQL instead of running it."""
    url = _url()
    _configure(metadata, url=url, literal_binds=True, render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def _online(metadata: MetaData) -> None:
    """Run on the caller's connection (or engine), else on a short-lived engine for the URL."""
    given: Connection | Engine | None = context.config.attributes.get("connection")
    if isinstance(given, Connection):
        _run_on(metadata, given)
        return
    engine = given or create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run_on(metadata, connection)
