"""The three mails read as Dutch, name the labels, and never let a name become HTML."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from contracts.enterprises import EnterpriseState
from services.notifier.mails import SUBJECTS, TEMPLATES, EnterpriseEvent, MailRenderer
from tests.unit.notifier.factories import (
    HOSTILE_NAME,
    delisted,
    enterprise,
    listed,
    pso_holding,
    updated,
)

pytestmark = pytest.mark.unit

renderer = MailRenderer("Impact Oost", "https://impactoost.example/")


def test_listed_mail_says_which_labels_make_the_enterprise_visible() -> None:
    mail = renderer.render_event(listed())
    assert mail.subject == "U bent nu zichtbaar op Impact Oost"
    for body in (mail.text, mail.html):
        assert "Beste Kringloop Twente B.V.," in body
        assert "PSO (Prestatieladder Socialer Ondernemen)" in body
        assert "niveau Trede 3" in body
        assert "geldig van 12 maart 2024 tot en met 12 maart 2026" in body
        assert "https://impactoost.example/ondernemingen/e1a2b3c4d5e6f708" in body


def test_listed_mail_names_every_counting_label_and_skips_those_that_do_not_count() -> None:
    state = enterprise(
        labels=(
            pso_holding(level="trede-3", pso30plus=True, valid_from=None),
            pso_holding(
                label="senl", holding_id="groen", level="boost", valid_from=None, valid_until=None
            ),
            pso_holding(label="codeso", holding_id="x", status="aangevraagd", counts=False),
        )
    )
    mail = renderer.render_event(listed(state))
    assert "niveau Trede 3, PSO 30+ (geldig tot en met 12 maart 2026)" in mail.text
    assert "Social Enterprise NL, niveau BOOST (geen einddatum bekend)" in mail.text
    assert "Code Sociale Ondernemingen" not in mail.text
    assert "deze labels" in mail.text


def test_updated_mail_says_what_changed() -> None:
    mail = renderer.render_event(updated(changes=("labels", "level", "valid_until")))
    assert mail.subject == "Uw vermelding is gewijzigd"
    for body in (mail.text, mail.html):
        assert "Uw vermelding op Impact Oost is gewijzigd" in body
        assert "de labels waarmee u zichtbaar bent" in body
        assert "het niveau van uw label" in body
        assert "de geldigheid van uw label" in body


def test_delisted_mail_names_the_lapsed_label_and_date_and_promises_a_return() -> None:
    mail = renderer.render_event(delisted())
    assert mail.subject == "Uw vermelding is verwijderd"
    assert (
        "omdat uw label PSO (Prestatieladder Socialer Ondernemen)\nop 12 maart 2026 is vervallen"
    ) in mail.text
    assert "<strong>PSO (Prestatieladder Socialer Ondernemen)</strong> op 12 maart 2026" in (
        mail.html
    )
    for body in (mail.text, mail.html):
        assert "komt uw vermelding automatisch terug" in body


@pytest.mark.parametrize("build", [listed, updated, delisted])
def test_hostile_enterprise_names_are_escaped_in_html_and_kept_verbatim_in_text(
    build: Callable[[EnterpriseState], EnterpriseEvent],
) -> None:
    mail = renderer.render_event(build(enterprise(name=HOSTILE_NAME)))
    assert "<script>" not in mail.html
    assert "<b>B.V.</b>" not in mail.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Zonen" in mail.html
    assert HOSTILE_NAME in mail.text


def test_a_hostile_enterprise_id_cannot_break_out_of_the_listing_link() -> None:
    mail = renderer.render_event(listed(enterprise(enterprise_id='x"><script>')))
    assert "/ondernemingen/x%22%3E%3Cscript%3E" in mail.html
    assert "<script>" not in mail.html


def test_html_is_a_dutch_document() -> None:
    mail = renderer.render_event(listed())
    assert mail.html.startswith("<!DOCTYPE html>")
    assert '<html lang="nl">' in mail.html


def test_each_kind_has_a_subject_and_both_templates() -> None:
    for kind in SUBJECTS:
        assert (TEMPLATES / f"{kind}.txt").is_file()
        assert (TEMPLATES / f"{kind}.html").is_file()
