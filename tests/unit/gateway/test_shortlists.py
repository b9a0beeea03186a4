"""Shortlists: made without an account, reached by two unguessable links stored as hashes,
built from the search and detail pages, with notes, shared read-only, renewed, exported, kept
live against the read model, and purged when unused."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from services.gateway.read_model.database import create_tables
from services.gateway.shortlists.purge import purge_lists
from services.gateway.shortlists.tables import ShortlistEntryRow, ShortlistRow
from tests.unit.gateway.events import delisted, listed
from tests.unit.gateway.shortlist_support import CATALOGUE, Buyer, buyer_gateway, edit

pytestmark = pytest.mark.unit

LAPSED_AT = datetime(2026, 3, 13, 6, 0, tzinfo=UTC)


async def _list_with(buyer: Buyer, *ids: str) -> str:
    token = await buyer.create()
    for enterprise_id in ids:
        added = await buyer.post("/inkooplijsten/toevoegen", enterprise_id=enterprise_id)
        assert added.status_code == 303
        buyer.clock.advance(minutes=1)
    return token


async def test_a_new_list_has_an_edit_and_a_share_link_stored_only_as_hashes(
    tmp_path: Path,
) -> None:
    async with buyer_gateway(tmp_path, *CATALOGUE) as buyer:
        token = await buyer.create("Kerstpakketten 2026", "Voor de afdeling Inkoop")
        page = await buyer.client.get(edit(token), params={"gedaan": "aangemaakt"})
        share = await buyer.share_token(token)
        with Session(buyer.app.state.engine) as session:
            row = session.exec(select(ShortlistRow)).one()
            stored = " ".join(str(value) for value in row.model_dump().values())
    assert page.status_code == 200 and "Uw inkooplijst is gemaakt" in page.text
    assert f"https://inkoop.example/inkooplijsten/bewerken/{token}" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert token != share and len(token) == len(share) == 43
    assert row.edit_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.share_hash == hashlib.sha256(share.encode()).hexdigest()
    assert token not in stored and share not in stored
    cookie = page.headers["set-cookie"]
    assert "impactoost_inkooplijst=" in cookie and "HttpOnly" in cookie
    assert "SameSite=lax" in cookie and "Max-Age=31536000" in cookie


async def test_forms_without_this_browsers_token_are_refused(tmp_path: Path) -> None:
    async with buyer_gateway(tmp_path, *CATALOGUE) as buyer:
        token = await buyer.create()
        forged = await buyer.client.post("/inkooplijsten", data={"name": "Vals"})
        wrong = await buyer.client.post(
            edit(token, "toevoegen"), data={"csrf_token": "0" * 64, "enterprise_id": "kringloop"}
        )
        entries = (await buyer.client.get(edit(token))).text
    assert forged.status_code == 403 and wrong.status_code == 403
    assert "Formulier niet geaccepteerd" in forged.text
    assert "Ondernemingen op deze lijst (0)" in entries


async def test_a_name_or_note_that_is_wrong_is_explained_and_nothing_is_made(
    tmp_path: Path,
) -> None:
    async with buyer_gateway(tmp_path) as buyer:
        empty = await buyer.post("/inkooplijsten", name="  ", note="")
        long = await buyer.post("/inkooplijsten", name="Lijst", note="x" * 2001)
        with Session(buyer.app.state.engine) as session:
            lists = session.exec(select(ShortlistRow)).all()
    assert empty.status_code == 400 and "Geef de lijst een naam" in empty.text
    assert long.status_code == 400 and "hoogstens 2000 tekens" in long.text
    assert 'value="Lijst"' in long.text and lists == []


async def test_a_buyer_adds_from_the_search_and_detail_pages_and_goes_back(
    tmp_path: Path,
) -> None:
    async with buyer_gateway(tmp_path, *CATALOGUE) as buyer:
        before = (await buyer.client.get("/?q=kringloop")).text
        token = await buyer.create()
        search = (await buyer.client.get("/?q=kringloop")).text
        added = await buyer.post(
            "/inkooplijsten/toevoegen", enterprise_id="kringloop", return_to="/?q=kringloop"
        )
        again = (await buyer.client.get("/?q=kringloop")).text
        detail = (await buyer.client.get("/ondernemingen/fietser")).text
        buyer.clock.advance(minutes=1)
        offsite = await buyer.post(
            "/inkooplijsten/toevoegen", enterprise_id="fietser", return_to="//evil.example/"
        )
        entries = (await buyer.client.get(edit(token))).text
    assert "Zet op inkooplijst" not in before and "Maak een inkooplijst" in before
    assert 'Zet op inkooplijst<span class="visually-hidden">: Kringloop Twente' in search
    assert added.status_code == 303 and added.headers["location"] == "/?q=kringloop"
    assert "Staat op uw inkooplijst" in again and "Zet op inkooplijst<" not in again
    assert "(1 onderneming)" in again
    assert "Zet op inkooplijst" in detail
    assert offsite.headers["location"] == "/ondernemingen/fietser"
    assert "Ondernemingen op deze lijst (2)" in entries
    assert entries.index("Kringloop Twente") < entries.index("=De Groene Fietser")


async def test_the_edit_page_finds_enterprises_to_add(tmp_path: Path) -> None:
    async with buyer_gateway(tmp_path, *CATALOGUE) as buyer:
        token = await buyer.create()
        found = (await buyer.client.get(edit(token), params={"zoek": "bakkerij"})).text
        added = await buyer.post(
            edit(token, "toevoegen"),
            enterprise_id="bakkerij",
            return_to=f"{edit(token)}?zoek=bakkerij&gedaan=toegevoegd",
        )
        after = (await buyer.client.get(added.headers["location"])).text
        unknown = await buyer.post(edit(token, "toevoegen"), enterprise_id="bestaat-niet")
    assert "1 onderneming gevonden" in found and "Toevoegen<span" in found
    assert "De onderneming staat nu op uw lijst." in after and "staat op de lijst" in after
    assert unknown.status_code == 400 and "staat niet in het overzicht" in unknown.text


async def test_notes_are_plain_text_kept_escaped_and_limited(tmp_path: Path) -> None:
    async with buyer_gateway(tmp_path, *CATALOGUE) as buyer:
        token = await _list_with(buyer, "kringloop")
        saved = await buyer.post(
            edit(token, "notitie"), enterprise_id="kringloop", note="<b>Bellen</b>\nin mei"
        )
        page = (await buyer.client.get(edit(token))).text
        too_long = await buyer.post(
            edit(token, "notitie"), enterprise_id="kringloop", note="x" * 1001
        )
        details = await buyer.post(edit(token, "gegevens"), name="Kerst", note="Budget <€5000>")
        share = (
            await buyer.client.get(f"/inkooplijsten/bekijken/{await buyer.share_token(token)}")
        ).text
    assert saved.status_code == 303 and saved.headers["location"].endswith(
        "?gedaan=notitie#onderneming-kringloop"
    )
    assert "&lt;b&gt;Bellen&lt;/b&gt;\nin mei" in page and "<b>Bellen" not in page
    assert too_long.status_code == 400 and "hoogstens 1000 tekens" in too_long.text
    assert details.status_code == 303
    assert "Budget &lt;€5000&gt;" in share and "&lt;b&gt;Bellen&lt;/b&gt;" in share


async def test_the_share_link_is_read_only_and_a_new_one_retires_it(tmp_path: Path) -> None:
    async with buyer_gateway(tmp_path, *CATALOGUE) as buyer:
        token = await _list_with(buyer, "kringloop")
        old = await buyer.share_token(token)
        shared = await buyer.client.get(f"/inkooplijsten/bekijken/{old}")
        as_editor = await buyer.client.get(edit(old))
        renewed = await buyer.post(edit(token, "deellink"))
        new = await buyer.share_token(token)
        retired = await buyer.client.get(f"/inkooplijsten/bekijken/{old}")
        current = await buyer.client.get(f"/inkooplijsten/bekijken/{new}")
    assert shared.status_code == 200 and "Kringloop Twente" in shared.text
    assert "<form" not in shared.text.split("<main")[1] and "<textarea" not in shared.text
    assert token not in shared.text
    assert as_editor.status_code == 404
    assert renewed.status_code == 303 and new != old
    assert retired.status_code == 404 and "Inkooplijst niet gevonden" in retired.text
    assert current.status_code == 200


async def test_an_entry_that_lapses_stays_marked_and_loses_the_mark_when_it_returns(
    tmp_path: Path,
) -> None:
    async with buyer_gateway(tmp_path, *CATALOGUE) as buyer:
        token = await _list_with(buyer, "kringloop", "fietser")
        lapsed = delisted("kringloop", version=2).model_copy(update={"occurred_at": LAPSED_AT})
        buyer.record(lapsed)
        marked = (await buyer.client.get(edit(token))).text
        exported = await buyer.client.get(edit(token, "export.csv"))
        buyer.record(listed("kringloop", version=3))
        returned = (await buyer.client.get(edit(token))).text
    assert "Ondernemingen op deze lijst (2)" in marked
    assert "Niet meer vermeld sinds 13 maart 2026</strong>: het label PSO is verlopen" in marked
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    status = {row["Naam"]: (row["Status"], row["Niet meer vermeld sinds"]) for row in rows}
    assert status["Kringloop Twente"] == ("niet meer vermeld", "13-03-2026")
    assert status["'=De Groene Fietser"] == ("vermeld", "")
    assert "Ondernemingen op deze lijst (2)" in returned
    assert "Niet meer vermeld" not in returned and "Kringloop Twente" in returned


async def test_lists_survive_a_rebuild_of_the_read_model(tmp_path: Path) -> None:
    async with buyer_gateway(tmp_path, *CATALOGUE) as buyer:
        token = await _list_with(buyer, "kringloop")
        engine = buyer.app.state.engine
        with Session(engine) as session:
            session.execute(text("UPDATE read_model_schema SET version = 1"))
            session.commit()
        create_tables(engine)
        emptied = (await buyer.client.get(edit(token))).text
        buyer.record(*CATALOGUE)
        replayed = (await buyer.client.get(edit(token))).text
    assert "Ondernemingen op deze lijst (1)" in emptied and "Kringloop Twente" in emptied
    assert "Niet meer vermeld" in emptied
    assert "Niet meer vermeld" not in replayed


async def test_unused_lists_are_purged_after_the_kept_days_and_the_page_says_so(
    tmp_path: Path,
) -> None:
    async with buyer_gateway(tmp_path, *CATALOGUE, shortlist_keep_days=30) as buyer:
        kept = await _list_with(buyer, "kringloop")
        forgotten = await buyer.create("Vergeten")
        page = (await buyer.client.get(edit(kept))).text
        buyer.clock.advance(days=20)
        await buyer.client.get(edit(kept))
        buyer.clock.advance(days=11)
        purged = purge_lists(buyer.app.state.engine, buyer.clock.now, 30)
        with Session(buyer.app.state.engine) as session:
            names = session.exec(select(ShortlistRow.name)).all()
            entries = session.exec(select(ShortlistEntryRow.enterprise_id)).all()
        gone = await buyer.client.get(edit(forgotten))
    assert "die 30 dagen niet is geopend of gewijzigd, wordt met de notities verwijderd" in page
    assert "bewaard tot en met 1 april 2026" in page
    assert purged == 1 and names == ["Kerstpakketten 2026"] and entries == ["kringloop"]
    assert gone.status_code == 404


async def test_a_deleted_list_is_gone_with_its_links_and_cookie(tmp_path: Path) -> None:
    async with buyer_gateway(tmp_path, *CATALOGUE) as buyer:
        token = await _list_with(buyer, "kringloop")
        share = await buyer.share_token(token)
        deleted = await buyer.post(edit(token, "wissen"))
        search = (await buyer.client.get("/?q=kringloop")).text
        after = [
            (await buyer.client.get(url)).status_code
            for url in (edit(token), f"/inkooplijsten/bekijken/{share}")
        ]
        with Session(buyer.app.state.engine) as session:
            left = session.exec(select(ShortlistEntryRow)).all()
    assert deleted.status_code == 200 and "Inkooplijst verwijderd" in deleted.text
    assert 'impactoost_inkooplijst=""' in deleted.headers["set-cookie"]
    assert "Zet op inkooplijst" not in search
    assert after == [404, 404] and left == []


async def test_a_browser_without_a_form_key_is_asked_to_confirm_the_addition(
    tmp_path: Path,
) -> None:
    async with buyer_gateway(tmp_path, *CATALOGUE) as buyer:
        token = await buyer.create()
        buyer.client.cookies.delete("impactoost_csrf")
        detail = (await buyer.client.get("/ondernemingen/kringloop")).text
        confirm = await buyer.client.get("/inkooplijsten/toevoegen?onderneming=kringloop")
        added = await buyer.post("/inkooplijsten/toevoegen", enterprise_id="kringloop")
        entries = (await buyer.client.get(edit(token))).text
    assert 'href="/inkooplijsten/toevoegen?onderneming=kringloop"' in detail
    assert confirm.status_code == 200 and "op uw inkooplijst „Kerstpakketten 2026”" in confirm.text
    assert added.headers["location"] == "/ondernemingen/kringloop"
    assert "Ondernemingen op deze lijst (1)" in entries
