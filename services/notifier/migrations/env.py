"""Alembic's environment for the notifier: the database comes from the caller, never from
settings read at import. `migrate` (services/notifier/schema.py) passes its open connection
in `config.attributes["connection"]`; the `alembic` command line passes a URL (`-x url=...`
or `sqlalchemy.url`)."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection, Engine, create_engine, pool
from sqlmodel.sql.sqltypes import AutoString

from services.notifier.schema import metadata

config = context.config
target_metadata = metadata


def _url() -> str:
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


def _configure(**options: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        render_item=_render_item,
        **options,
    )


def _run_on(connection: Connection) -> None:
    # SQLite alters little in place; batch mode lets later revisions recreate a table instead.
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """`alembic upgrade --sql`: print the SQL instead of running it."""
    url = _url()
    _configure(url=url, literal_binds=True, render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run on the caller's connection (or engine), else on a short-lived engine for the URL."""
    given: Connection | Engine | None = config.attributes.get("connection")
    if isinstance(given, Connection):
        _run_on(given)
        return
    engine = given or create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run_on(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
