"""When a mail is due and which events share one: pure rules, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.notifier.coalescing import OpenMail, Timing, is_essential, plan_mail
from tests.unit.notifier.factories import (
    delisted,
    listed,
    recertification_due,
    supplement_hidden,
    updated,
)

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
TIMING = Timing(quiet=timedelta(seconds=90))


def test_a_listing_starts_a_welcome_due_after_the_quiet_period() -> None:
    plan = plan_mail(listed(), None, NOW, TIMING)
    assert (plan.action, plan.due_at) == ("new", NOW + TIMING.quiet)


def test_a_change_folds_into_the_open_mail_and_moves_it_to_a_quiet_period_later() -> None:
    open_mail = OpenMail("listed", NOW - timedelta(seconds=30))
    plan = plan_mail(updated(), open_mail, NOW, TIMING)
    assert (plan.action, plan.due_at) == ("fold", NOW + TIMING.quiet)


def test_a_mail_is_held_at_most_five_quiet_periods_after_its_first_event() -> None:
    first = NOW - TIMING.quiet * 5 + timedelta(seconds=10)
    plan = plan_mail(updated(), OpenMail("updated", first), NOW, TIMING)
    assert plan.due_at == first + TIMING.max_hold
    late = plan_mail(updated(), OpenMail("updated", NOW - TIMING.quiet * 6), NOW, TIMING)
    assert late.due_at == NOW


def test_a_delisting_is_due_now_and_supersedes_an_open_change_but_not_a_welcome() -> None:
    change = plan_mail(delisted(), OpenMail("updated", NOW), NOW, TIMING)
    assert (change.due_at, change.close_open, change.supersede_open) == (NOW, True, True)
    welcome = plan_mail(delisted(), OpenMail("listed", NOW), NOW, TIMING)
    assert (welcome.due_at, welcome.close_open, welcome.supersede_open) == (NOW, True, False)


def test_a_reminder_waits_one_quiet_period_but_never_into_the_label_s_last_day() -> None:
    early = recertification_due(lead_days=30)  # valid until 12 March 2026
    plan = plan_mail(early, OpenMail("listed", NOW), NOW, TIMING)
    assert (plan.action, plan.due_at, plan.close_open) == ("new", NOW + TIMING.quiet, True)
    # 22:59:30 UTC on 11 March is 23:59:30 in Amsterdam: the last day begins in 30 seconds.
    eve = datetime(2026, 3, 11, 22, 59, 30, tzinfo=UTC)
    assert plan_mail(early, None, eve, TIMING).due_at == datetime(2026, 3, 11, 23, 0, tzinfo=UTC)
    last_day = datetime(2026, 3, 12, 8, 0, tzinfo=UTC)
    assert plan_mail(early, None, last_day, TIMING).due_at == last_day


def test_a_hidden_supplement_is_due_at_once() -> None:
    assert plan_mail(supplement_hidden(), None, NOW, TIMING).due_at == NOW


def test_without_a_quiet_period_every_mail_is_due_at_once() -> None:
    timing = Timing(quiet=timedelta(0))
    assert plan_mail(listed(), None, NOW, timing).due_at == NOW
    assert plan_mail(updated(), OpenMail("listed", NOW), NOW, timing).due_at == NOW


def test_only_the_welcome_and_the_change_mail_may_be_stopped() -> None:
    kinds = ("listed", "updated", "delisted", "recertification_due", "supplement_hidden")
    assert [kind for kind in kinds if not is_essential(kind)] == ["listed", "updated"]
