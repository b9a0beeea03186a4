"""Enterprise views built without validating the read model's rows again give exactly the JSON
the validated views give, on rows that exercise every rule (URLs, label order, last checks,
supplements, unknown categories), read as ORM objects and as a search page reads them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

import pytest
from sqlalchemy import Engine, create_engine
from sqlmodel import Session, SQLModel, select

from contracts.labels import LABELS
from services.gateway.read_model.presenting import category_view, enterprise_view
from services.gateway.read_model.queries import page_views
from services.gateway.read_model.tables import EnterpriseRow, HoldingRow, ReadModel
from services.gateway.read_model.views import EnterpriseView, SupplementView, web_url

pytestmark = pytest.mark.unit

VERIFIED = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
CHECKED: dict[str, datetime | None] = {
    "pso": datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
    "cedris": datetime(2026, 2, 1, 8, 0, tzinfo=UTC),
    "senl": None,
}


def _validated_view(
    row: Any, holdings: Sequence[Any], checked: dict[str, datetime | None]
) -> EnterpriseView:
    """The reference: every value through the views' validation, as the gateway built them
    before it trusted its own rows."""
    supplement = SupplementView.model_validate(row.supplement) if row.supplement else None
    website: str | None = None
    source: Literal["registry", "enterprise"] | None = None
    if web_url(row.website):
        website, source = row.website, "registry"
    elif supplement is not None and supplement.website:
        website, source = supplement.website, "enterprise"
    counting = sorted((h for h in holdings if h.counts), key=lambda h: LABELS.index(h.label))
    fields = row.model_dump() if isinstance(row, SQLModel) else dict(row._mapping)
    labels = [
        {
            **{name: getattr(h, name) for name in ("label", "level", "pso30plus", "status")},
            "valid_from": h.valid_from,
            "valid_until": h.valid_until,
            "grace_until": h.grace_until,
            "last_verified_at": h.last_verified_at,
            "source_url": h.source_url,
            "last_checked_at": max(h.last_verified_at, checked[h.label])
            if checked.get(h.label)
            else h.last_verified_at,
        }
        for h in counting
    ]
    return EnterpriseView.model_validate(
        fields
        | {
            "labels": labels,
            "website": website,
            "website_source": source,
            "categories": [v for v in map(category_view, row.categories) if v is not None],
            "supplement": supplement,
        }
    )


def _holding(enterprise_id: str, label: str, number: int, **fields: Any) -> HoldingRow:
    values: dict[str, Any] = {
        "enterprise_id": enterprise_id,
        "label": label,
        "holding_id": f"{label}-{number}",
        "level": "trede-3",
        "pso30plus": label == "pso",
        "status": "gecertificeerd",
        "valid_from": date(2024, 3, 12),
        "valid_until": date(2027, 3, 12),
        "counts": True,
        "source_url": f"https://register.example/{label}/{number}",
        "last_verified_at": VERIFIED,
    }
    return HoldingRow(**(values | fields))


def _enterprise(enterprise_id: str, **fields: Any) -> EnterpriseRow:
    values: dict[str, Any] = {
        "enterprise_id": enterprise_id,
        "version": 1,
        "listed": True,
        "name": f"Café {enterprise_id}",
        "sort_name": enterprise_id,
        "search_text": enterprise_id,
        "place": "Enschede",
        "municipality": "Enschede",
        "province": "Overijssel",
        "region": "Twente",
        "website": "https://aerdig.example/",
        "kvk": ["01234567"],
        "themes": ["inclusie"],
        "listed_since": datetime(2025, 12, 31, 23, 30, tzinfo=UTC),
        "categories": ["catering"],
    }
    return EnterpriseRow(**(values | fields))


SUPPLEMENT = {
    "description": "Wij koken — met z'n allen",
    "keywords": ["lunch", "ß"],
    "delivery_areas": ["Twente"],
    "contact": {"name": "Eva de Vries", "email": "inkoop@aerdig.example", "phone": None},
    "website": "  https://eigen.example/pad?x=1  ",
    "updated_at": "2026-03-01T09:00:00+00:00",
}


def _cases() -> list[tuple[EnterpriseRow, list[HoldingRow]]]:
    return [
        (_enterprise("e01"), [_holding("e01", "pso", 1)]),
        (
            _enterprise("e02", website="  https://spaties.example/  ", supplement=SUPPLEMENT),
            [
                _holding("e02", "senl", 2, level=None, grace_until=date(2026, 6, 1)),
                _holding("e02", "pso", 1, source_url="javascript:alert(1)"),
                _holding("e02", "codeso", 3, counts=False),
                _holding("e02", "cedris", 4, source_url=" http://oud.example/x "),
            ],
        ),
        (_enterprise("e03", website="javascript:alert(1)", supplement=SUPPLEMENT), []),
        (
            _enterprise("e04", website=None, supplement=SUPPLEMENT | {"website": "ftp://x"}),
            [_holding("e04", "pso", 1, counts=False)],
        ),
        (
            _enterprise(
                "e05",
                website="",
                place=None,
                municipality=None,
                province=None,
                region=None,
                kvk=[],
                themes=[],
                listed_since=None,
                grace_until=date(2026, 5, 1),
                summary="Een “samenvatting” met <tags> & \\ tekens",
                summary_label="cedris",
                categories=["catering", "niet-bestaand", "schoonmaak"],
                categories_chosen=True,
                supplement={"updated_at": "2026-03-01T09:00:00Z"},
            ),
            [_holding("e05", "cedris", 1), _holding("e05", "pso", 2, valid_until=None)],
        ),
    ]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'rm.db'}")
    ReadModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


def test_views_from_orm_rows_give_the_validated_json() -> None:
    for row, holdings in _cases():
        built = enterprise_view(row, holdings, CHECKED)
        assert built.model_dump_json() == _validated_view(row, holdings, CHECKED).model_dump_json()


def test_a_page_read_in_one_query_gives_the_validated_json_in_the_index_s_order(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        for row, holdings in _cases():
            session.add(row)
            session.add_all(holdings)
        session.add(_enterprise("e06", listed=False))
        session.commit()
    ids = ["e05", "e06", "e02", "missing", "e01", "e04", "e03"]
    with Session(engine) as session:
        built = page_views(session, ids, CHECKED)
        expected = []
        for enterprise_id in ids:
            stored = session.get(EnterpriseRow, enterprise_id)
            if stored is None or not stored.listed:
                continue
            held = session.exec(
                select(HoldingRow)
                .where(HoldingRow.enterprise_id == enterprise_id)
                .order_by(HoldingRow.holding_id)
            ).all()
            expected.append(_validated_view(stored, held, CHECKED))
    assert [view.enterprise_id for view in built] == ["e05", "e02", "e01", "e04", "e03"]
    assert [view.model_dump_json() for view in built] == [
        view.model_dump_json() for view in expected
    ]
    assert [view.model_dump() for view in built] == [view.model_dump() for view in expected]
