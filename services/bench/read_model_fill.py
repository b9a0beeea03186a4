"""Fill the gateway's read model with synthetic enterprises, fast, through its own tables.

Projecting a million events one by one would take hours; setup is not what the search
benchmark measures, so rows go in with bulk inserts into the gateway's own tables (SQLite or
PostgreSQL), built from the same `EnterpriseState` an event carries and the gateway's own
projection of it. Whatever the gateway derives from its rows for search (triggers, indexes, an
index of its own built at start) it derives from these rows as from projected ones. Rows are
built in worker processes while this one writes.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from sqlalchemy import Connection, Table, insert

from contracts.enterprises import EnterpriseState
from services.bench.population import searchable_enterprise
from services.gateway.read_model.database import create_tables, make_engine
from services.gateway.read_model.projection import enterprise_values
from services.gateway.read_model.searchable import tokens
from services.gateway.read_model.tables import EnterpriseRow, HoldingRow

CHUNK = 5_000
# Chunks built ahead of the writer: enough to keep it busy, few enough to bound memory.
AHEAD = 4
ENTERPRISES: Table = EnterpriseRow.__table__  # type: ignore[attr-defined]
HOLDINGS: Table = HoldingRow.__table__  # type: ignore[attr-defined]

Rows = tuple[list[dict[str, Any]], list[dict[str, Any]]]


def fill_read_model(database_url: str, count: int, workers: int = 2) -> None:
    """Create the read model at `database_url` holding `count` listed enterprises.

    The tables' triggers are held off while the rows go in, and the one column they keep
    (`counting_labels`) is written with the rows instead: at a million rows, firing them row
    by row took most of an hour. Nothing else reads what they would have logged, since a
    gateway builds its search index from the rows when it starts."""
    engine = make_engine(database_url)
    try:
        create_tables(engine)
        with engine.begin() as connection, triggers_held_off(connection):
            for enterprises, holdings in _chunks(count, workers):
                connection.execute(insert(ENTERPRISES), enterprises)
                connection.execute(insert(HOLDINGS), holdings)
    finally:
        engine.dispose()


@contextlib.contextmanager
def triggers_held_off(connection: Connection) -> Iterator[None]:
    """No trigger of the read model's tables fires in `connection` inside this block: on
    PostgreSQL by the session's replication role (the benchmark's own server, a superuser),
    on SQLite by dropping them and creating them again from their own stored text."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        yield
        connection.exec_driver_sql("SET LOCAL session_replication_role = origin")
        return
    stored = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (?, ?)",
        (ENTERPRISES.name, HOLDINGS.name),
    ).all()
    for name, _ in stored:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for _, sql in stored:
        connection.exec_driver_sql(sql)


def _chunks(count: int, workers: int) -> Iterator[Rows]:
    """The rows of every chunk in order, built by `workers` processes a few chunks ahead."""
    starts = iter(range(0, count, CHUNK))
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[Future[Rows]] = deque()
        for start in starts:
            pending.append(pool.submit(chunk_rows, start, min(start + CHUNK, count)))
            if len(pending) >= AHEAD:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def chunk_rows(start: int, stop: int) -> Rows:
    """The enterprise and holding rows of enterprises `start` to `stop` (not included)."""
    enterprise_columns, holding_columns = table_columns()
    states = [searchable_enterprise(i) for i in range(start, stop)]
    enterprises = [enterprise_row(s, enterprise_columns) for s in states]
    holdings = [row for s in states for row in holding_rows(s, holding_columns)]
    return enterprises, holdings


def table_columns() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The columns of the enterprise and holding tables the fill writes."""
    sample = searchable_enterprise(0)
    enterprise_columns = fillable_columns(ENTERPRISES, set(enterprise_values(sample, True)))
    holding_columns = fillable_columns(
        HOLDINGS, set(sample.labels[0].model_dump()) | {"enterprise_id"}
    )
    return enterprise_columns, holding_columns


def enterprise_row(state: EnterpriseState, columns: tuple[str, ...]) -> dict[str, Any]:
    """The enterprise table's row for `state`, as the gateway's projection would store it,
    with the labels of its counting holdings as the holdings' trigger would set them."""
    counting = tokens(holding.label for holding in state.labels if holding.counts)
    return _pick(columns, enterprise_values(state, state.listed)) | {"counting_labels": counting}


def holding_rows(state: EnterpriseState, columns: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    """The holdings table's rows for `state`."""
    for holding in state.labels:
        yield _pick(columns, holding.model_dump() | {"enterprise_id": state.enterprise_id})


def fillable_columns(table: Table, known: set[str]) -> tuple[str, ...]:
    """The table's columns the bench fills; a required one it cannot fill is an error, so a
    new column in the gateway's tables fails the benchmark instead of going in as NULL."""
    missing = [c.name for c in table.columns if c.name not in known and not c.nullable]
    if missing:
        raise RuntimeError(f"read model table {table.name}: the bench cannot fill {missing}")
    return tuple(c.name for c in table.columns if c.name in known)


def _pick(columns: tuple[str, ...], values: dict[str, Any]) -> dict[str, Any]:
    return {name: values[name] for name in columns}
