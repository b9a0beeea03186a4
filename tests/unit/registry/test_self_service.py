"""Enterprises complete their own listing: the registry keeps what they submit, decides who
may sign in, and lets an operator hide what misleads. None of it lists or delists anyone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from contracts.base import deterministic_id
from contracts.enterprises import EnterpriseSupplementHidden, EnterpriseUpdated
from contracts.signin import SignInGranted, SignInRequested
from contracts.supplements import Supplement, SupplementSubmitted
from services.kit.contacts import Contact, FakeContacts
from services.registry import handlers, self_service
from services.registry.adapters.unit_of_work import FakeDatabase, FakeUnitOfWork
from services.registry.regions import BundledResolver
from tests.unit.registry.factories import MORNING, TODAY, at, granted, lapsed, observation
from tests.unit.registry.running import queued

SOURCE = "test"
ENTERPRISE_OBS = observation()


def _listed(database: FakeDatabase, obs: Any = ENTERPRISE_OBS) -> str:
    """Record a counting label, as the scraper's first run would; the enterprise's id."""
    import asyncio

    resolution = asyncio.run(BundledResolver().resolve(obs.place or ""))
    handlers.record_label_event(
        granted(obs), FakeUnitOfWork(database), TODAY, source=SOURCE, resolution=resolution
    )
    return queued(database)[-1].enterprise.enterprise_id


def _submitted(enterprise_id: str, n: int = 1, **fields: Any) -> SupplementSubmitted:
    values: dict[str, Any] = {
        "description": "Wij verzorgen lunches en borrels voor <b>vergaderingen</b>.",
        "categories": ("catering",),
        "keywords": ("vegetarisch",),
        "delivery_areas": ("Twente",),
        "contact": {"name": "Anna de Vries", "email": "anna@kringlooptwente.nl"},
    }
    return SupplementSubmitted(
        event_id=deterministic_id("supplement", enterprise_id, n),
        occurred_at=at(n),
        source="gateway",
        enterprise_id=enterprise_id,
        submitted_by="inkoop@kringlooptwente.nl",
        supplement=Supplement(**{**values, **fields}),
    )


def _record(database: FakeDatabase, event: SupplementSubmitted) -> bool:
    return self_service.record_supplement(
        event, FakeUnitOfWork(database), TODAY, source=SOURCE, now=event.occurred_at
    )


def _request(enterprise_id: str, email: str, n: int = 1) -> SignInRequested:
    return SignInRequested(
        event_id=deterministic_id("sign-in", enterprise_id, email, n),
        occurred_at=at(n),
        source="gateway",
        enterprise_id=enterprise_id,
        email=email,
    )


def _granted(database: FakeDatabase) -> list[SignInGranted]:
    return [
        SignInGranted.model_validate_json(m.payload)
        for m in database.outbox
        if m.subject == "impact.v1.signin.granted"
    ]


CONTACTS = FakeContacts([Contact(email="directie@voorbeeld.example", kvk="06123456")])


def _decide(database: FakeDatabase, enterprise_id: str, email: str, n: int = 1) -> str:
    return self_service.decide_sign_in(
        _request(enterprise_id, email, n), FakeUnitOfWork(database), CONTACTS, now=at(n)
    )


def test_a_submitted_supplement_reaches_buyers_as_an_update_with_chosen_categories() -> None:
    database = FakeDatabase()
    enterprise_id = _listed(database)
    assert _record(database, _submitted(enterprise_id))
    event = queued(database)[-1]
    assert isinstance(event, EnterpriseUpdated)
    assert "supplement" in event.changes
    state = event.enterprise
    assert state.listed
    assert state.categories == ("catering",)
    assert state.categories_chosen is True
    assert state.supplement is not None
    assert (
        state.supplement.description
        == "Wij verzorgen lunches en borrels voor <b>vergaderingen</b>."
    )
    assert state.supplement.contact is not None
    assert state.supplement.contact.email == "anna@kringlooptwente.nl"
    assert state.supplement.updated_at == at(1)


def test_the_registry_keeps_who_changed_which_fields_and_when() -> None:
    database = FakeDatabase()
    enterprise_id = _listed(database)
    _record(database, _submitted(enterprise_id, 1))
    _record(database, _submitted(enterprise_id, 2, keywords=("vegan", "glutenvrij")))
    changes = [c for c in database.supplement_changes if c.enterprise_id == enterprise_id]
    assert [(c.changed_by, c.changed_at, c.fields) for c in changes] == [
        (
            "inkoop@kringlooptwente.nl",
            at(1),
            ("description", "categories", "keywords", "delivery_areas", "contact"),
        ),
        ("inkoop@kringlooptwente.nl", at(2), ("keywords",)),
    ]


def test_a_redelivered_supplement_changes_nothing() -> None:
    database = FakeDatabase()
    enterprise_id = _listed(database)
    event = _submitted(enterprise_id)
    assert _record(database, event)
    before = len(database.outbox)
    assert not _record(database, event)
    assert len(database.outbox) == before


def test_without_a_supplement_the_categories_are_derived_and_marked_so() -> None:
    database = FakeDatabase()
    _listed(database, observation(summary="Kringloopwinkels en een sorteercentrum in Enschede."))
    state = queued(database)[-1].enterprise
    assert "kringloop-en-hergebruik" in state.categories
    assert state.categories_chosen is False
    assert state.summary == "Kringloopwinkels en een sorteercentrum in Enschede."
    assert state.summary_label == "pso"


def test_a_supplement_never_lists_an_enterprise_without_a_counting_label() -> None:
    database = FakeDatabase()
    obs = observation(status="aspirant", counts=False)
    handlers.record_label_event(granted(obs), FakeUnitOfWork(database), TODAY, source=SOURCE)
    enterprise_id = next(iter(database.enterprises))
    assert not _record(database, _submitted(enterprise_id))
    assert queued(database) == []
    assert database.enterprises[enterprise_id].supplement is None


def test_a_supplement_is_hidden_while_delisted_and_returns_with_the_listing() -> None:
    database = FakeDatabase()
    enterprise_id = _listed(database)
    _record(database, _submitted(enterprise_id))
    uow = FakeUnitOfWork(database)
    handlers.record_label_event(lapsed(ENTERPRISE_OBS, at(5)), uow, TODAY, source=SOURCE)
    delisted = queued(database)[-1]
    assert delisted.kind == "delisted"
    assert delisted.enterprise.supplement is None
    assert database.enterprises[enterprise_id].supplement is not None
    back = granted(ENTERPRISE_OBS, at(9), episode=2)
    handlers.record_label_event(back, FakeUnitOfWork(database), TODAY, source=SOURCE)
    relisted = queued(database)[-1]
    assert relisted.kind == "listed"
    assert relisted.enterprise.supplement is not None
    assert relisted.enterprise.categories == ("catering",)


def test_an_address_in_the_contacts_file_is_granted_a_sign_in() -> None:
    database = FakeDatabase()
    enterprise_id = _listed(database)
    assert _decide(database, enterprise_id, "Directie@VOORBEELD.example") == "granted"
    (grant,) = _granted(database)
    assert (grant.email, grant.trusted_by) == ("Directie@voorbeeld.example", "contacts_file")
    assert grant.enterprise_name == "Kringloop Twente B.V."


def test_an_address_at_the_registry_published_domain_is_granted_a_sign_in() -> None:
    database = FakeDatabase()
    enterprise_id = _listed(database)
    assert _decide(database, enterprise_id, "inkoop@kringlooptwente.nl") == "granted"
    assert [g.trusted_by for g in _granted(database)] == ["website_domain"]


@pytest.mark.parametrize(
    "email",
    [
        "inkoop@kringlooptwente.nl.evil.example",
        "kringlooptwente.nl@gmail.com",
        "iemand@sub.kringlooptwente.nl",
        "anna@elders.example",
    ],
)
def test_any_other_address_becomes_a_claim_for_an_operator(email: str) -> None:
    database = FakeDatabase()
    enterprise_id = _listed(database)
    assert _decide(database, enterprise_id, email) == "claim"
    assert _granted(database) == []
    assert [(c.enterprise_id, c.email) for c in database.claims] == [(enterprise_id, email)]


def test_a_self_entered_website_never_makes_an_address_trusted() -> None:
    database = FakeDatabase()
    enterprise_id = _listed(database, observation(website=None))
    _record(database, _submitted(enterprise_id, website="https://eigen-site.example"))
    assert _decide(database, enterprise_id, "ik@eigen-site.example", 3) == "claim"


def test_a_mail_host_listed_as_website_trusts_nobody() -> None:
    database = FakeDatabase()
    enterprise_id = _listed(database, observation(website="https://www.facebook.com/kringloop"))
    assert _decide(database, enterprise_id, "wie@facebook.com") == "claim"


def test_no_sign_in_for_a_delisted_or_unknown_enterprise() -> None:
    database = FakeDatabase()
    enterprise_id = _listed(database)
    uow = FakeUnitOfWork(database)
    handlers.record_label_event(lapsed(ENTERPRISE_OBS, at(2)), uow, TODAY, source=SOURCE)
    assert _decide(database, enterprise_id, "inkoop@kringlooptwente.nl", 3) == "refused"
    assert _decide(database, "onbekend0000", "inkoop@kringlooptwente.nl", 4) == "refused"
    assert _granted(database) == [] and database.claims == []


def test_the_same_claim_is_filed_once_and_a_redelivery_decides_nothing_again() -> None:
    database = FakeDatabase()
    enterprise_id = _listed(database)
    assert _decide(database, enterprise_id, "anna@elders.example", 1) == "claim"
    assert _decide(database, enterprise_id, "anna@elders.example", 1) == "duplicate"
    assert _decide(database, enterprise_id, "anna@elders.example", 2) == "claim"
    assert len(database.claims) == 1


def test_an_approved_claim_grants_the_sign_in_once() -> None:
    database = FakeDatabase()
    enterprise_id = _listed(database)
    _decide(database, enterprise_id, "anna@elders.example")
    (claim,) = database.claims
    email = self_service.decide_claim(
        claim.id, True, FakeUnitOfWork(database), source=SOURCE, now=at(3)
    )
    assert email == "anna@elders.example"
    (grant,) = _granted(database)
    assert (grant.email, grant.trusted_by) == ("anna@elders.example", "operator")
    with pytest.raises(self_service.Refused, match="already approved"):
        self_service.decide_claim(
            claim.id, False, FakeUnitOfWork(database), source=SOURCE, now=at(4)
        )


def test_a_rejected_claim_sends_nothing() -> None:
    database = FakeDatabase()
    enterprise_id = _listed(database)
    _decide(database, enterprise_id, "anna@elders.example")
    self_service.decide_claim(1, False, FakeUnitOfWork(database), source=SOURCE, now=at(3))
    assert _granted(database) == []
    assert database.claims[0].decision == "rejected"
    with pytest.raises(self_service.Refused, match="no claim with id 9"):
        self_service.decide_claim(9, True, FakeUnitOfWork(database), source=SOURCE, now=at(3))


def _hide(
    database: FakeDatabase, enterprise_id: str, fields: tuple[Any, ...], reason: str | None
) -> bool:
    return self_service.hide_fields(
        enterprise_id, fields, reason, FakeUnitOfWork(database), TODAY, source=SOURCE, now=at(4)
    )


def test_an_operator_hides_a_misleading_field_and_the_enterprise_is_told_why() -> None:
    database = FakeDatabase()
    enterprise_id = _listed(database)
    _record(database, _submitted(enterprise_id))
    assert _hide(
        database, enterprise_id, ("description",), "Beschrijft diensten die u niet levert."
    )
    event = queued(database)[-1]
    assert isinstance(event, EnterpriseSupplementHidden)
    assert event.fields == ("description",)
    assert event.reason == "Beschrijft diensten die u niet levert."
    shown = event.enterprise.supplement
    assert shown is not None and shown.description is None and shown.hidden == ("description",)
    assert shown.keywords == ("vegetarisch",)


def test_a_hidden_field_stays_hidden_until_the_enterprise_changes_it() -> None:
    database = FakeDatabase()
    enterprise_id = _listed(database)
    _record(database, _submitted(enterprise_id, 1))
    _hide(database, enterprise_id, ("description", "keywords"), "Misleidend.")
    _record(database, _submitted(enterprise_id, 5, description="Een eerlijke omschrijving."))
    shown = queued(database)[-1].enterprise.supplement
    assert shown is not None
    assert shown.description == "Een eerlijke omschrijving."
    assert shown.keywords == () and shown.hidden == ("keywords",)


def test_hiding_needs_a_reason_and_a_supplement() -> None:
    database = FakeDatabase()
    enterprise_id = _listed(database)
    with pytest.raises(self_service.Refused, match="no supplement"):
        _hide(database, enterprise_id, ("description",), "x")
    _record(database, _submitted(enterprise_id))
    with pytest.raises(self_service.Refused, match="say why"):
        _hide(database, enterprise_id, ("description",), None)


def test_showing_hidden_fields_again_is_an_ordinary_update() -> None:
    database = FakeDatabase()
    enterprise_id = _listed(database)
    _record(database, _submitted(enterprise_id))
    _hide(database, enterprise_id, ("contact",), "Onbekend nummer.")
    assert _hide(database, enterprise_id, (), None)
    event = queued(database)[-1]
    assert isinstance(event, EnterpriseUpdated)
    assert event.enterprise.supplement is not None
    assert event.enterprise.supplement.contact is not None


def test_personal_data_past_its_retention_is_forgotten() -> None:
    database = FakeDatabase()
    enterprise_id = _listed(database)
    _record(database, _submitted(enterprise_id))
    _decide(database, enterprise_id, "anna@elders.example", 2)
    handlers.record_label_event(
        lapsed(ENTERPRISE_OBS, at(3)), FakeUnitOfWork(database), TODAY, source=SOURCE
    )
    later = MORNING + timedelta(days=400)
    forgotten = self_service.forget_personal_data(lambda: FakeUnitOfWork(database), later, 365)
    assert forgotten >= 1
    assert database.claims == [] and database.supplement_changes == []
    assert database.enterprises[enterprise_id].supplement is None
