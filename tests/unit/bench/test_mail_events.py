"""The notifier benchmark's data: the contacts file, the listing events, the server's lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.enterprises import EnterpriseListed
from services.bench.mail_events import (
    CONTACT_ROWS,
    Received,
    contact_email,
    contact_lines,
    contact_row,
    cpu_seconds,
    listed_event,
    listing_messages,
    mails_per_second,
)
from services.bench.notifier import NotifierFigures
from services.bench.plan import QUICK
from services.bench.rows import notifier_rows
from services.kit.contacts import CsvContacts
from services.notifier.domain import is_mailed

pytestmark = pytest.mark.unit


def test_every_benchmark_enterprise_has_its_own_row_spread_over_the_whole_file() -> None:
    rows = [contact_row(mail, 620) for mail in range(620)]

    assert len(set(rows)) == 620
    assert rows[0] == 0 and rows[-1] > CONTACT_ROWS * 0.99


def test_more_mails_than_contacts_rows_is_refused() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        contact_row(3, 11, rows=10)


def test_the_contacts_file_gives_each_listed_enterprise_its_rows_address(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text("".join(contact_lines(1_000)), encoding="utf-8")
    contacts = CsvContacts(path)
    row = contact_row(7, 10, rows=1_000)

    event = listed_event("r0", 7, row)

    assert (
        contacts.address_for(event.enterprise)
        == contact_email(row)
        == "info700@onderneming700.example"
    )
    assert contacts.skipped_lines == 0


def test_listing_events_are_first_listings_that_the_notifier_mails() -> None:
    messages = listing_messages("r1", 20, 5, 100)
    events = [EnterpriseListed.model_validate_json(m.payload) for m in messages]

    assert all(is_mailed(event) for event in events)
    assert (
        len({m.msg_id for m in messages}) == len({e.enterprise.enterprise_id for e in events}) == 5
    )
    assert all(m.subject.startswith("impact.v1.enterprises.") for m in messages)
    assert all(m.subject.endswith(".listed") for m in messages)


def test_runs_never_repeat_each_others_events() -> None:
    first = {m.msg_id for m in listing_messages("r0", 0, 10, 20)}
    second = {m.msg_id for m in listing_messages("r1", 10, 10, 20)}

    assert not first & second


def test_a_received_line_reads_back_as_it_was_printed() -> None:
    mail = Received(12.5, 2048, 3100, "noreply@impactoost.example", ("a@x.example", "b@y.example"))

    assert Received.parse(mail.line() + "\n") == mail


def test_a_line_that_is_not_a_received_mail_is_refused() -> None:
    with pytest.raises(ValueError, match="not a received-mail line"):
        Received.parse("ready\n")


def test_mails_per_second_runs_to_the_last_arrival() -> None:
    assert mails_per_second(200, 10.0, 12.0) == 100


def test_no_rate_without_mails_or_time() -> None:
    with pytest.raises(ValueError, match="no rate"):
        mails_per_second(0, 10.0, 12.0)
    with pytest.raises(ValueError, match="no rate"):
        mails_per_second(5, 10.0, 10.0)


def test_cpu_time_is_user_plus_system_after_a_command_name_with_spaces() -> None:
    stat = "4242 (python (serve) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3"

    assert cpu_seconds(stat, 100) == 3.0


def test_the_notifier_row_passes_at_half_the_bare_clients_rate_and_reports_cpu() -> None:
    figures = NotifierFigures(notifier=[300, 320, 310], bare=[600, 640, 620], cpu_ms=[2, 3, 2])

    rate, cpu = notifier_rows(figures, QUICK)

    assert (rate.ratio, rate.verdict()) == (0.5, "pass")
    assert (cpu.summary.median if cpu.summary else None, cpu.verdict()) == (2, "-")
