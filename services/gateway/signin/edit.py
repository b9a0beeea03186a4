"""The edit form of a signed-in enterprise: prefilled with its current supplement, checked
field by field, published whole when right."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request
from starlette.responses import Response

from contracts.categories import CATEGORIES
from contracts.places import regions
from contracts.supplements import (
    CATEGORIES_MAX,
    DESCRIPTION_MAX,
    KEYWORD_MAX,
    KEYWORDS_MAX,
)
from services.gateway.deps import ReaderDep, SignInDep
from services.gateway.signin.form import SupplementForm, check_supplement
from services.gateway.signin.formdata import read_form
from services.gateway.signin.guards import require_csrf, require_session
from services.gateway.signin.handlers import submit_supplement
from services.gateway.signin.listing import Listing, find_listing, listed_or_refused
from services.gateway.signin.publishing import PublishUnavailable
from services.gateway.signin.rendering import render
from services.gateway.signin.sessions import SignedIn

router = APIRouter(include_in_schema=False)
LIMITS = {
    "description": DESCRIPTION_MAX,
    "categories": CATEGORIES_MAX,
    "keywords": KEYWORDS_MAX,
    "keyword": KEYWORD_MAX,
}
NOT_SENT = (
    "Uw aanvulling kon op dit moment niet worden verstuurd; er is nog niets gewijzigd. "
    "Probeer het over enkele minuten opnieuw."
)


@router.get("/aanvullen/{enterprise_id}/bewerken", name="supplement_edit")
async def edit_page(
    request: Request, enterprise_id: str, read: ReaderDep, signin: SignInDep
) -> Response:
    """The form, filled with what the enterprise submitted before (as buyers see it now)."""
    signed_in = await require_session(signin, request, enterprise_id)
    listing = listed_or_refused(await read(find_listing, enterprise_id))
    form = SupplementForm.from_supplement(listing.supplement)
    return _form_page(request, listing, signed_in, form)


@router.post("/aanvullen/{enterprise_id}/bewerken", name="supplement_edit_post")
async def submit(
    request: Request, enterprise_id: str, read: ReaderDep, signin: SignInDep
) -> Response:
    """Check the form; publish the supplement, or show the form again with what is wrong."""
    fields = await read_form(request)
    signed_in = await require_session(signin, request, enterprise_id)
    require_csrf(signin, request, fields)
    listing = listed_or_refused(await read(find_listing, enterprise_id))
    form = SupplementForm.from_fields(fields)
    checked = check_supplement(form)
    if checked.supplement is None:
        return _form_page(request, listing, signed_in, form, checked.errors, status=400)
    try:
        await submit_supplement(signin, signed_in, checked.supplement)
    except PublishUnavailable:
        return _form_page(request, listing, signed_in, form, notice=NOT_SENT, status=503)
    return render(request, "edit_received.html", {"listing": listing})


def _form_page(
    request: Request,
    listing: Listing,
    signed_in: SignedIn,
    form: SupplementForm,
    errors: Mapping[str, str] | None = None,
    *,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    context = {
        "listing": listing,
        "signed_in": signed_in,
        "form": form,
        "errors": dict(errors or {}),
        "notice": notice,
        "categories": CATEGORIES,
        "regions": regions(),
        "limits": LIMITS,
    }
    return render(request, "edit_form.html", context, status=status)
