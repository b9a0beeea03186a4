"""A read model of an older schema is dropped and rebuilt, never half-used."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlmodel import Session, select

from services.gateway.read_model.database import create_tables, make_engine
from services.gateway.read_model.tables import SCHEMA_VERSION, SchemaVersion

pytestmark = pytest.mark.unit


def test_an_old_read_model_is_replaced_by_empty_tables_of_this_version(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'gateway.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE sources (label VARCHAR PRIMARY KEY, holdings INT)"))
        connection.execute(text("INSERT INTO sources VALUES ('pso', 3)"))
    create_tables(engine)
    columns = {c["name"] for c in inspect(engine).get_columns("sources")}
    assert "next_run_at" in columns
    with Session(engine) as session:
        assert session.exec(select(SchemaVersion.version)).all() == [SCHEMA_VERSION]
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM sources")).scalar() == 0


def test_a_current_read_model_is_kept(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'gateway.db'}")
    create_tables(engine)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO sources (label, holdings) VALUES ('pso', 3)"))
    create_tables(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT holdings FROM sources")).scalar() == 3


def test_a_read_model_from_before_grace_periods_is_rebuilt_with_grace_until(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'gateway.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE enterprises (enterprise_id VARCHAR PRIMARY KEY)"))
        connection.execute(text("CREATE TABLE holdings (enterprise_id VARCHAR PRIMARY KEY)"))
        connection.execute(text("CREATE TABLE read_model_schema (version INT PRIMARY KEY)"))
        connection.execute(text("INSERT INTO read_model_schema VALUES (2)"))
    create_tables(engine)
    for table in ("enterprises", "holdings"):
        assert "grace_until" in {c["name"] for c in inspect(engine).get_columns(table)}
    with Session(engine) as session:
        assert session.exec(select(SchemaVersion.version)).all() == [SCHEMA_VERSION]


def test_a_read_model_from_before_categories_is_rebuilt_with_offer_columns(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'gateway.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE enterprises (enterprise_id VARCHAR PRIMARY KEY)"))
        connection.execute(text("CREATE TABLE read_model_schema (version INT PRIMARY KEY)"))
        connection.execute(text("INSERT INTO read_model_schema VALUES (4)"))
    create_tables(engine)
    columns = {c["name"] for c in inspect(engine).get_columns("enterprises")}
    assert {"summary", "categories", "supplement", "category_slugs", "delivery_regions"} <= columns
