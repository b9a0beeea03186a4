"""Alert pages under /meldingen: ask for an alert, confirm it, change or stop it, and the
one-click unsubscribe of RFC 8058. A GET never changes anything (mail scanners open links);
every form but the one-click unsubscribe carries a CSRF token: that one is posted by mail
programs, which have none, and the link's own token is what allows it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from contracts.categories import CATEGORIES
from contracts.places import regions
from services.gateway.alerts.bootstrap import Alerts
from services.gateway.alerts.form import FREQUENCIES, AlertForm, check_alert
from services.gateway.alerts.handlers import (
    change,
    confirm,
    managed_alert,
    pending_alert,
    request_alert,
    stop,
)
from services.gateway.alerts.links import MANAGE_PATH, alert_token
from services.gateway.alerts.store import Alert
from services.gateway.signin.formdata import FormFields, first, read_form
from services.gateway.signin.guards import require_csrf, unavailable
from services.gateway.signin.publishing import PublishUnavailable
from services.gateway.signin.rendering import Problem, client_address, rate_limited, render

router = APIRouter(include_in_schema=False)


def _alerts(request: Request) -> Alerts:
    alerts: Alerts = request.app.state.alerts
    return alerts


def _checked_form(request: Request, fields: FormFields) -> None:
    require_csrf(request.app.state.signin, request, fields)


@router.get("/meldingen/nieuw", name="alert_new")
async def new_alert(request: Request) -> Response:
    """The alert form, filled with the search the buyer came from (what is not a known
    category, label or region is left out)."""
    given = AlertForm.from_fields(_query_fields(request))
    checked = check_alert(given, with_email=False)
    form = AlertForm(
        frequency=given.frequency if "frequency" not in checked.errors else "weekly",
        category=given.category if "category" not in checked.errors else (),
        label=given.label if "label" not in checked.errors else (),
        region=given.region if "region" not in checked.errors else "",
    )
    return _form_page(request, "alert_new.html", form)


@router.post("/meldingen/nieuw", name="alert_new_post")
async def ask_for_alert(request: Request) -> Response:
    """Store the alert unconfirmed and mail the confirmation link; the same answer whether
    or not the address has alerts already."""
    fields = await read_form(request)
    _checked_form(request, fields)
    alerts, form = _alerts(request), AlertForm.from_fields(fields)
    checked = check_alert(form, with_email=True)
    if checked.errors:
        return _form_page(request, "alert_new.html", form, checked.errors, status=400)
    client = client_address(request)
    try:
        outcome = await request_alert(
            alerts, checked.email, checked.frequency, checked.filters, client
        )
    except PublishUnavailable:
        raise unavailable() from None
    if outcome == "limited":
        minutes = alerts.settings.gateway_signin_limit_window_minutes
        raise rate_limited(
            "Te veel verzoeken",
            "Er zijn de laatste tijd te veel meldingen aangevraagd voor dit adres of vanaf "
            f"deze verbinding. Probeer het over {minutes} minuten opnieuw.",
            minutes * 60,
        )
    hours = alerts.settings.gateway_alert_confirm_hours
    return render(request, "alert_requested.html", {"hours": hours})


@router.get("/meldingen/bevestigen", name="alert_confirm")
async def confirm_page(request: Request, token: str = "") -> Response:
    """A button that confirms: opening the link alone confirms nothing."""
    await _pending_or_refused(request, token)
    return render(request, "alert_confirm.html", {"token": token})


@router.post("/meldingen/bevestigen", name="alert_confirm_post")
async def confirm_alert(request: Request) -> Response:
    """Confirm the alert (again: no change) and show where to change or stop it."""
    fields = await read_form(request)
    _checked_form(request, fields)
    token = first(fields, "token")
    alert = await _pending_or_refused(request, token)
    await confirm(_alerts(request), alert)
    return render(request, "alert_confirmed.html", _alert_context(request, alert))


@router.get("/meldingen/beheren", name="alert_manage")
async def manage_page(request: Request, token: str = "") -> Response:
    """The alert's search and frequency, to change, and a button that stops it."""
    alert = await _managed_or_refused(request, token)
    form = AlertForm.of(alert.frequency, alert.filters)
    return _form_page(request, "alert_manage.html", form, alert=alert, token=token)


@router.post("/meldingen/beheren", name="alert_manage_post")
async def change_alert(request: Request) -> Response:
    """Save a changed search or frequency, or show the form again with what is wrong."""
    fields = await read_form(request)
    _checked_form(request, fields)
    token = first(fields, "token")
    alert = await _managed_or_refused(request, token)
    form = AlertForm.from_fields(fields)
    checked = check_alert(form, with_email=False)
    if checked.errors:
        return _form_page(
            request, "alert_manage.html", form, checked.errors, status=400, alert=alert, token=token
        )
    await change(_alerts(request), alert, checked.frequency, checked.filters)
    notice = "Uw wijzigingen zijn opgeslagen."
    return _form_page(request, "alert_manage.html", form, alert=alert, token=token, saved=notice)


@router.post("/meldingen/stoppen", name="alert_stop")
async def stop_alert(request: Request) -> Response:
    """Stop the alert from its manage page."""
    fields = await read_form(request)
    _checked_form(request, fields)
    await stop(_alerts(request), first(fields, "token"))
    return render(request, "alert_stopped.html", {})


@router.get("/meldingen/afmelden", name="alert_unsubscribe")
async def unsubscribe_page(request: Request, token: str = "") -> Response:
    """The unsubscribe link opened in a browser: a button, since opening it stops nothing."""
    alert = await managed_alert(_alerts(request), token)
    return render(request, "alert_unsubscribe.html", {"token": token, "active": alert is not None})


@router.post("/meldingen/afmelden", name="alert_unsubscribe_post")
async def unsubscribe(request: Request, token: str = "") -> Response:
    """RFC 8058 one-click unsubscribe (a POST with `List-Unsubscribe=One-Click` to the link
    in the mail's header): stops the alert; the same answer when it was stopped before."""
    await stop(_alerts(request), token)
    return render(request, "alert_stopped.html", {})


async def _pending_or_refused(request: Request, token: str) -> Alert:
    alert = await pending_alert(_alerts(request), token)
    if alert is None:
        raise Problem(
            410,
            "Deze bevestigingslink werkt niet meer",
            "De link is verlopen of onvolledig, of de melding is al gestopt. Een melding die "
            f"niet binnen {_alerts(request).settings.gateway_alert_confirm_hours} uur is "
            "bevestigd, wordt verwijderd.",
            action=(request.url_for("alert_new").path, "Vraag de melding opnieuw aan"),
        )
    return alert


async def _managed_or_refused(request: Request, token: str) -> Alert:
    alert = await managed_alert(_alerts(request), token)
    if alert is None:
        raise Problem(
            404,
            "Deze melding bestaat niet meer",
            "De melding is gestopt, niet op tijd bevestigd, of de link is onvolledig.",
            action=(request.url_for("alert_new").path, "Vraag een nieuwe melding aan"),
        )
    return alert


def _alert_context(request: Request, alert: Alert) -> dict[str, Any]:
    token = alert_token(_alerts(request).secret, alert.alert_id, "manage")
    return {"alert": alert, "manage_url": f"{MANAGE_PATH}?{urlencode({'token': token})}"}


def _form_page(
    request: Request,
    template: str,
    form: AlertForm,
    errors: Mapping[str, str] | None = None,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    context = {
        "form": form,
        "errors": dict(errors or {}),
        "categories": CATEGORIES,
        "regions": regions(),
        "frequencies": FREQUENCIES,
        "send_hour": _alerts(request).settings.gateway_alert_send_hour,
        **extra,
    }
    return render(request, template, context, status=status)


def _query_fields(request: Request) -> FormFields:
    fields: FormFields = {}
    for name, value in request.query_params.multi_items():
        fields.setdefault(name, []).append(value)
    return fields
