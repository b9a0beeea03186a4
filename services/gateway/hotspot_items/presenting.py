"""What the templates call to show an item: its HTML (sanitised once more, as shown), and
its date and time in Dutch."""

from __future__ import annotations

from datetime import datetime

from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from services.gateway.hotspot_items.markup import clean_html
from services.gateway.hotspot_items.moments import iso_start, when_text
from services.gateway.hotspot_items.queries import AgendaView


def item_html(markup: str) -> Markup:
    """The item's HTML, sanitised again right before it is marked safe."""
    return Markup(clean_html(markup))  # noqa: S704 - nh3 has just sanitised it


def agenda_when(item: AgendaView, now: datetime) -> str:
    """`vandaag, 14:00–16:00 uur`, `dinsdag 3 maart 2026 (hele dag)`, a range..."""
    return when_text(
        all_day=item.all_day,
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        starts_on=item.starts_on,
        ends_on=item.ends_on,
        now=now,
    )


def agenda_start(item: AgendaView) -> str:
    """The start for `<time datetime>`."""
    return iso_start(item.all_day, item.starts_at, item.starts_on)


def install_presentation(templates: Jinja2Templates) -> None:
    """Add the filter and functions above to the gateway's templates."""
    templates.env.filters["item_html"] = item_html
    templates.env.globals["agenda_when"] = agenda_when
    templates.env.globals["agenda_start"] = agenda_start
