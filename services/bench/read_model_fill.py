"""Fill the gateway's read model with synthetic enterprises, fast, through its own tables.

Projecting 100,000 events one by one takes minutes; setup is not what the search benchmark
measures, so rows go in with bulk inserts into the gateway's own tables, built from the same
`EnterpriseState` an event carries and the gateway's own projection of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Table, insert
from sqlmodel import Session

from contracts.enterprises import EnterpriseState
from services.bench.synthetic import enterprise_state
from services.gateway.read_model.database import create_tables, make_engine
from services.gateway.read_model.projection import enterprise_values
from services.gateway.read_model.tables import EnterpriseRow, HoldingRow

CHUNK = 5_000


def fill_read_model(database: Path, count: int) -> None:
    """Create the read model at `database` (SQLite) holding `count` listed enterprises."""
    database.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(f"sqlite:///{database}")
    try:
        create_tables(engine)
        enterprises: Table = EnterpriseRow.__table__  # type: ignore[attr-defined]
        holdings: Table = HoldingRow.__table__  # type: ignore[attr-defined]
        sample = enterprise_state(0)
        enterprise_columns = fillable_columns(enterprises, set(enterprise_values(sample, True)))
        holding_columns = fillable_columns(
            holdings, set(sample.labels[0].model_dump()) | {"enterprise_id"}
        )
        with Session(engine) as session:
            for start in range(0, count, CHUNK):
                states = [enterprise_state(i) for i in range(start, min(start + CHUNK, count))]
                rows = [enterprise_row(s, enterprise_columns) for s in states]
                session.execute(insert(enterprises), rows)
                held = [row for s in states for row in holding_rows(s, holding_columns)]
                session.execute(insert(holdings), held)
            session.commit()
    finally:
        engine.dispose()


def enterprise_row(state: EnterpriseState, columns: tuple[str, ...]) -> dict[str, Any]:
    """The enterprise table's row for `state`, as the gateway's projection would store it."""
    return _pick(columns, enterprise_values(state, state.listed))


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
