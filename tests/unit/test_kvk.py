"""The one KvK rule (contracts.kvk): every form a registry, a spreadsheet or a person writes
a KvK number in, and the garbage that must never become one."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from contracts.enterprises import EnterpriseState
from contracts.kvk import KvkNumber, normalise_kvk, parse_kvk
from contracts.labels import Observation

pytestmark = pytest.mark.unit

READ_AS = [
    ("61234567", "61234567"),
    ("06123456", "06123456"),
    ("0612 3456", "06123456"),
    ("61.23.45.67", "61234567"),
    ("6123-4567", "61234567"),
    ("61 23 45 67", "61234567"),
    (" 6123\u00a04567 ", "61234567"),
    ("6123 - 4567", "61234567"),
    ("6123456", "06123456"),
    ("612 3456", "06123456"),
    ("KvK 0554 3210", "05543210"),
    ("KVK: 05543210", "05543210"),
    ("kvk-nummer: 05543210", "05543210"),
    ("KvK-nummer 05543210", "05543210"),
    ("KvK nummer: 0554 3210", "05543210"),
    ("KvK-nr. 05543210", "05543210"),
    ("kvk nr 05543210", "05543210"),
    ("Nr. 05543210", "05543210"),
    ("kvk05543210", "05543210"),
]

NOT_A_KVK_NUMBER = [
    "",
    "   ",
    "—",
    "KvK",
    "KvK-nummer:",
    "1",
    "12345",
    "123456",
    "123456789",
    "0612345678",
    "06123456 07123456",
    "06123456, 07123456",
    "ABC12345",
    "0612345A",
    "06123456b",
    "00000000",
    "0000000",
    "0000 0000",
    "-06123456",
    "06123456-",
    ".0612.3456",
    "0612_3456",
    "0612/3456",
    "+31612345",
    "١٢٣٤٥٦٧٨",
    "０６１２３４５６",
    "BTW NL001234567B01",
    "KvK 0612 3456 en 0712 3456",
    "0" * 100 + "6123456",
]


@pytest.mark.parametrize(("text", "number"), READ_AS)
def test_a_kvk_number_in_any_usual_form_is_read_as_its_eight_digits(text: str, number: str) -> None:
    assert normalise_kvk(text) == number
    assert parse_kvk(text) == number


@pytest.mark.parametrize("text", NOT_A_KVK_NUMBER)
def test_text_that_holds_no_kvk_number_is_none_and_refused(text: str) -> None:
    assert normalise_kvk(text) is None
    with pytest.raises(ValueError, match="not a KvK number"):
        parse_kvk(text)


@pytest.mark.parametrize(("text", "number"), READ_AS)
def test_a_normalised_number_reads_as_itself(text: str, number: str) -> None:
    assert normalise_kvk(number) == number


def test_the_annotated_type_stores_eight_digits_and_refuses_garbage() -> None:
    numbers = TypeAdapter(tuple[KvkNumber, ...])
    assert numbers.validate_python(("0612 3456", "KvK 7123456")) == ("06123456", "07123456")
    with pytest.raises(ValidationError, match="not a KvK number"):
        numbers.validate_python(("06123456", "12345"))


def test_a_long_text_is_named_shortened_in_the_error() -> None:
    with pytest.raises(ValueError, match="…") as refused:
        parse_kvk("x" * 500)
    assert len(str(refused.value)) < 100


def test_events_carry_kvk_numbers_as_eight_digits_and_refuse_garbage() -> None:
    seen = {
        "label": "pso",
        "holding_id": "PSO-1",
        "name": "Kringloop Twente",
        "status": "geldig",
        "counts": True,
        "source_url": "https://example.nl/",
    }
    assert Observation.model_validate({**seen, "kvk": ["0612 3456"]}).kvk == ("06123456",)
    with pytest.raises(ValidationError, match="not a KvK number"):
        Observation.model_validate({**seen, "kvk": ["06123456", "1"]})
    state = {"enterprise_id": "e1", "version": 1, "name": "Kringloop Twente", "listed": True}
    assert EnterpriseState.model_validate({**state, "kvk": ["6123456"]}).kvk == ("06123456",)
    with pytest.raises(ValidationError, match="not a KvK number"):
        EnterpriseState.model_validate({**state, "kvk": ["KvK onbekend"]})
