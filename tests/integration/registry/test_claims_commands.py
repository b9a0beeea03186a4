"""`impactoost registry claims …`, `hide` and `show` on a real database, as an operator
runs them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from contracts.base import deterministic_id
from contracts.signin import SignInGranted, SignInRequested
from contracts.supplements import Supplement, SupplementSubmitted
from services.kit.contacts import FakeContacts
from services.registry.adapters.unit_of_work import SqlUnitOfWork
from services.registry.handlers import record_label_event
from services.registry.self_service import decide_sign_in, record_supplement
from tests.integration.registry.test_migrations import impactoost
from tests.unit.registry.factories import TODAY, at, granted, observation

pytestmark = pytest.mark.integration


def _enterprise_with_claim(engine: Engine) -> str:
    record_label_event(granted(observation()), SqlUnitOfWork(engine), TODAY, source="test")
    with SqlUnitOfWork(engine) as uow:
        enterprise_id = uow.enterprises.enterprise_id_of_holding("pso", "PSO-2024-0153") or ""
    ask = SignInRequested(
        event_id="ask-00001",
        occurred_at=at(1),
        source="gateway",
        enterprise_id=enterprise_id,
        email="anna@elders.example",
    )
    assert decide_sign_in(ask, SqlUnitOfWork(engine), FakeContacts(), now=at(1)) == "claim"
    return enterprise_id


def _grants(engine: Engine) -> list[SignInGranted]:
    with SqlUnitOfWork(engine) as uow:
        pending = uow.outbox.pending(100)
    return [
        SignInGranted.model_validate_json(m.payload)
        for m in pending
        if m.subject == "impact.v1.signin.granted"
    ]


def test_an_operator_lists_and_approves_a_claim(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    enterprise_id = _enterprise_with_claim(engine)
    listed = impactoost(tmp_path, "registry", "claims", database_url=database_url)
    assert listed.returncode == 0, listed.stderr
    (line,) = listed.stdout.splitlines()
    assert line.split("\t")[:4] == [
        "1",
        enterprise_id,
        "Kringloop Twente B.V.",
        "anna@elders.example",
    ]
    approved = impactoost(tmp_path, "registry", "claims", "approve", "1", database_url=database_url)
    assert approved.returncode == 0, approved.stderr
    assert "anna@elders.example" in approved.stdout
    assert [(g.email, g.trusted_by) for g in _grants(engine)] == [
        ("anna@elders.example", "operator")
    ]
    again = impactoost(tmp_path, "registry", "claims", "reject", "1", database_url=database_url)
    assert again.returncode != 0
    assert "already approved" in again.stderr
    empty = impactoost(tmp_path, "registry", "claims", database_url=database_url)
    assert empty.stdout.strip() == "no claims waiting"


def test_a_rejected_claim_grants_nothing(engine: Engine, database_url: str, tmp_path: Path) -> None:
    _enterprise_with_claim(engine)
    rejected = impactoost(tmp_path, "registry", "claims", "reject", "1", database_url=database_url)
    assert rejected.returncode == 0, rejected.stderr
    assert _grants(engine) == []
    unknown = impactoost(tmp_path, "registry", "claims", "approve", "7", database_url=database_url)
    assert unknown.returncode != 0 and "no claim with id 7" in unknown.stderr


def test_an_operator_hides_and_shows_a_field(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    enterprise_id = _enterprise_with_claim(engine)
    submitted = SupplementSubmitted(
        event_id=deterministic_id("supplement", 1),
        occurred_at=at(2),
        source="gateway",
        enterprise_id=enterprise_id,
        submitted_by="inkoop@kringlooptwente.nl",
        supplement=Supplement(description="De beste van Nederland.", keywords=("kringloop",)),
    )
    assert record_supplement(submitted, SqlUnitOfWork(engine), TODAY, source="test", now=at(2))
    bad = impactoost(
        tmp_path,
        "registry",
        "hide",
        enterprise_id,
        "--field",
        "colour",
        "--reason",
        "x",
        database_url=database_url,
    )
    assert bad.returncode != 0 and "unknown field 'colour'" in bad.stderr
    hidden = impactoost(
        tmp_path,
        "registry",
        "hide",
        enterprise_id,
        "--field",
        "description",
        "--reason",
        "Niet aantoonbaar.",
        database_url=database_url,
    )
    assert hidden.returncode == 0, hidden.stderr
    with SqlUnitOfWork(engine) as uow:
        stored = uow.enterprises.get(enterprise_id)
        assert stored is not None and stored.supplement is not None
        assert stored.supplement.hidden == ("description",)
        state = stored.published
    assert state is not None and state.supplement is not None
    assert state.supplement.description is None
    shown = impactoost(tmp_path, "registry", "show", enterprise_id, database_url=database_url)
    assert shown.returncode == 0, shown.stderr
    with SqlUnitOfWork(engine) as uow:
        again = uow.enterprises.get(enterprise_id)
    assert again is not None and again.published is not None
    assert again.published.supplement is not None
    assert again.published.supplement.description == "De beste van Nederland."


def test_personal_data_past_its_retention_is_deleted_from_the_database(engine: Engine) -> None:
    from datetime import timedelta

    from services.registry.self_service import forget_personal_data
    from tests.unit.registry.factories import lapsed

    enterprise_id = _enterprise_with_claim(engine)
    submitted = SupplementSubmitted(
        event_id=deterministic_id("supplement", 2),
        occurred_at=at(2),
        source="gateway",
        enterprise_id=enterprise_id,
        submitted_by="inkoop@kringlooptwente.nl",
        supplement=Supplement(contact={"name": "Anna", "phone": "053 123 45 67"}),
    )
    record_supplement(submitted, SqlUnitOfWork(engine), TODAY, source="test", now=at(2))
    lapse = lapsed(observation(), at(3))
    record_label_event(lapse, SqlUnitOfWork(engine), TODAY, source="test", now=at(3))
    kept = forget_personal_data(lambda: SqlUnitOfWork(engine), at(4) + timedelta(days=30), 365)
    assert kept == 0
    forgotten = forget_personal_data(
        lambda: SqlUnitOfWork(engine), at(4) + timedelta(days=400), 365
    )
    assert forgotten == 3  # the claim, the change record, the delisted enterprise's supplement
    with SqlUnitOfWork(engine) as uow:
        assert uow.claims.pending() == []
        assert uow.claims.changes(enterprise_id) == []
        stored = uow.enterprises.get(enterprise_id)
    assert stored is not None and stored.supplement is None
