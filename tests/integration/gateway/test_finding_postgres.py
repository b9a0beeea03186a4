"""Finding on PostgreSQL: each order with stable paging, both strategies, read from its index,
and the reserved-contracts (2.82) filter with its facet."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, TextClause, text
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, select
from sqlmodel.sql.expression import Select

from services.gateway.handlers import record_enterprise_event
from services.gateway.read_model import queries
from services.gateway.read_model.queries import ORDER_BY, SearchQuery, search_enterprises
from services.gateway.read_model.search_index import matching
from services.gateway.read_model.search_query import SortOrder
from services.gateway.read_model.tables import EnterpriseRow
from tests.unit.gateway.events import holding, listed
from tests.unit.gateway.test_sorting import EXPECTED, ids, paged_ids, record_catalogue

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("sort", list(EXPECTED))
def test_each_order_pages_stably_with_both_strategies_on_postgresql(
    pg_engine: Engine, monkeypatch: pytest.MonkeyPatch, sort: SortOrder
) -> None:
    record_catalogue(pg_engine)
    assert ids(pg_engine, sort=sort, page_size=100) == EXPECTED[sort]
    assert paged_ids(pg_engine, sort, 3, q="enschede") == EXPECTED[sort]
    monkeypatch.setattr(queries, "WORDS_FIRST_BELOW", 0)
    assert paged_ids(pg_engine, sort, 3) == EXPECTED[sort]


@pytest.mark.parametrize(
    ("sort", "index"),
    [("newest", "ix_enterprises_listed_newest"), ("ending", "ix_enterprises_listed_ending")],
)
def test_a_sorted_page_is_read_from_its_index_on_postgresql(
    pg_engine: Engine, sort: SortOrder, index: str
) -> None:
    statement = select(EnterpriseRow).where(*matching([])).order_by(*ORDER_BY[sort]).limit(20)
    with pg_engine.connect() as connection:
        # The planner would rather scan eight rows than read an index; make it choose as it
        # would for a large table.
        connection.execute(text("SET enable_seqscan = off"))
        connection.execute(text("SET enable_sort = off"))
        plan = connection.execute(explain(statement)).scalars()
        assert index in "\n".join(plan)


def explain(statement: Select[tuple[EnterpriseRow]]) -> TextClause:
    """EXPLAIN of `statement`, its values bound."""
    compiled = statement.compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
    )
    return text(f"EXPLAIN {compiled}")


def test_reserved_contracts_filter_and_facet_on_postgresql(pg_engine: Engine) -> None:
    for event in (
        listed("thirty", name="Dertig Plus", labels=(holding("pso", pso30plus=True),)),
        listed("plain", name="Gewoon PSO", labels=(holding("pso"),)),
        listed("member", name="Lid", labels=(holding("senl", pso30plus=False),)),
    ):
        record_enterprise_event(pg_engine, event)
    with Session(pg_engine) as session:
        everything = search_enterprises(session, SearchQuery())
        reserved = search_enterprises(session, SearchQuery(reserved=True))
    assert (everything.total, everything.facets.reserved) == (3, 1)
    assert [item.enterprise_id for item in reserved.items] == ["thirty"]
    assert reserved.facets.label == {"pso": 1, "codeso": 0, "senl": 0, "cedris": 0}
