"""The mails read as Dutch, name the labels, and never let a name become HTML."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from contracts.enterprises import EnterpriseEvent, EnterpriseState
from services.notifier.mails import SUBJECTS, TEMPLATES, MailRenderer
from tests.unit.notifier.factories import (
    HOSTILE_NAME,
    delisted,
    enterprise,
    granted,
    in_grace,
    listed,
    moved_away,
    pso_holding,
    recertification_due,
    supplement_hidden,
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


def flat(body: str) -> str:
    """The body with line breaks and runs of spaces as single spaces."""
    return " ".join(body.split())


def test_recertification_mail_names_label_date_days_left_and_what_to_do() -> None:
    mail = renderer.render_event(recertification_due(lead_days=30))
    assert mail.subject == "Vernieuw uw label uiterlijk op 12 maart 2026"
    for body in (flat(mail.text), flat(mail.html)):
        assert "Beste Kringloop Twente B.V.," in body
        assert "PSO (Prestatieladder Socialer Ondernemen)" in body
        assert "is nog 30 dagen geldig: tot en met" in body
        assert "Laat uw label uiterlijk op 12 maart 2026 vernieuwen of opnieuw beoordelen" in body
        assert "Staat er na 12 maart 2026 geen geldig label meer in het register" in body
        assert "wordt uw vermelding verwijderd" in body
        assert "https://impactoost.example/ondernemingen/e1a2b3c4d5e6f708" in body
    assert "Uw label <strong>PSO (Prestatieladder Socialer Ondernemen)</strong>" in mail.html


@pytest.mark.parametrize(
    ("occurred_at", "days"),
    [
        (datetime(2026, 3, 5, 8, 0, tzinfo=UTC), "is nog 7 dagen geldig"),
        (datetime(2026, 3, 11, 8, 0, tzinfo=UTC), "is nog 1 dag geldig"),
        (datetime(2026, 3, 12, 8, 0, tzinfo=UTC), "is alleen vandaag nog geldig"),
    ],
)
def test_recertification_mail_counts_the_days_left_from_when_it_was_due(
    occurred_at: datetime, days: str
) -> None:
    mail = renderer.render_event(recertification_due(lead_days=7, occurred_at=occurred_at))
    assert days in flat(mail.text)


def test_delisted_mail_for_a_place_outside_the_region_names_the_place_not_a_label() -> None:
    mail = renderer.render_event(moved_away())
    assert mail.subject == "Uw vermelding is verwijderd"
    for body in (flat(mail.text), flat(mail.html)):
        assert "omdat uw vestigingsplaats" in body
        assert "Utrecht" in body
        assert "nu buiten de regio ligt waarvoor Impact Oost ondernemingen toont" in body
        assert "vervallen" not in body
        assert "PSO" not in body
    assert "uw vestigingsplaats, <strong>Utrecht</strong>, nu" in flat(mail.html)


def test_delisted_mail_for_an_unknown_place_outside_the_region_still_reads() -> None:
    mail = renderer.render_event(moved_away(enterprise(version=3, listed=False, place=None)))
    assert "omdat uw vestigingsplaats nu buiten de regio ligt" in flat(mail.text)


def test_updated_mail_says_a_lapsed_label_keeps_the_listing_until_the_grace_period_ends() -> None:
    mail = renderer.render_event(updated(in_grace(), changes=("labels", "grace_until")))
    for body in (flat(mail.text), flat(mail.html)):
        assert (
            "uw label PSO (Prestatieladder Socialer Ondernemen) is vervallen; uw vermelding "
            "blijft zichtbaar als „hercertificering loopt” tot en met 11 april 2026"
        ) in body
        assert "hercertificering loopt tot en met 11 april 2026)" in body


def _hidden(state: EnterpriseState) -> EnterpriseEvent:
    return supplement_hidden(state=state)


@pytest.mark.parametrize(
    "build", [listed, updated, delisted, moved_away, recertification_due, _hidden]
)
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


def test_supplement_hidden_mail_names_the_fields_the_reason_and_how_to_change_them() -> None:
    mail = renderer.render_event(
        supplement_hidden(
            fields=("contact", "website"), reason="Dit telefoonnummer is van een ander bedrijf."
        )
    )
    assert mail.subject == "Gegevens in uw vermelding zijn verborgen"
    for body in (flat(mail.text), flat(mail.html)):
        assert "Beste Kringloop Twente B.V.," in body
        assert "heeft deze gegevens daarvan verborgen" in body
        assert "contactpersoon voor inkopers" in body
        assert "website" in body
        assert "Dit telefoonnummer is van een ander bedrijf." in body
        assert "Wilt u ze aanpassen? Vraag via uw vermelding een nieuwe inloglink aan" in body
        assert "log opnieuw in met uw e-mailadres" in body
        assert "https://impactoost.example/ondernemingen/e1a2b3c4d5e6f708/aanvullen" in body
    assert "- contactpersoon voor inkopers\n- website\n" in mail.text


def test_supplement_hidden_mail_about_one_field_speaks_of_it_in_the_singular() -> None:
    mail = renderer.render_event(supplement_hidden(fields=("categories",)))
    assert "heeft dit gegeven daarvan verborgen" in flat(mail.text)
    assert "Wilt u het aanpassen?" in flat(mail.text)
    assert "- categorieën" in mail.text


def test_an_operator_s_reason_is_escaped_in_html() -> None:
    mail = renderer.render_event(supplement_hidden(reason='<a href="x">klik</a> & meer'))
    assert '<a href="x">' not in mail.html
    assert "&lt;a href=&#34;x&#34;&gt;klik&lt;/a&gt; &amp; meer" in mail.html
    assert '<a href="x">klik</a> & meer' in mail.text


def test_sign_in_mail_gives_the_link_the_name_and_that_it_works_once_for_thirty_minutes() -> None:
    mail = renderer.render_signin_link(granted(), "s3cr3t-Token_value")
    link = "https://impactoost.example/aanvullen/inloggen?token=s3cr3t-Token_value"
    assert mail.subject == "Uw inloglink voor Impact Oost"
    for body in (flat(mail.text), flat(mail.html)):
        assert link in body
        assert "vermelding van Kringloop Twente B.V." in flat(body.replace("<strong>", ""))
        assert "De link is 30 minuten geldig en werkt één keer." in body
        assert "Heeft u niet om deze link gevraagd? Dan kunt u deze e-mail negeren" in body
        assert "inloglink is aangevraagd voor info@kringlooptwente.example" in body
    assert f'<a href="{link}"' in mail.html


def test_sign_in_mail_escapes_a_hostile_enterprise_name_in_html() -> None:
    hostile = granted().model_copy(update={"enterprise_name": HOSTILE_NAME})
    mail = renderer.render_signin_link(hostile, "t")
    assert "<script>" not in mail.html
    assert HOSTILE_NAME in mail.text
