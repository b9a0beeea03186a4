"""Dutch presentation: dates, counts, safe links; the Jinja2 environment (autoescaping)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote

import jinja2
from fastapi.templating import Jinja2Templates

from contracts.labels import LABEL_DISPLAY_NAMES
from services.gateway.labels import label_name, level_text
from services.gateway.read_model.views import web_url
from services.kit.dutch import LOCAL, long_date

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


def date_nl(value: date | None) -> str:
    """`12 maart 2026`; empty for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL).date()
    return long_date(value)


def datetime_nl(value: datetime | None) -> str:
    """`12 maart 2026 om 14:05`, in Dutch local time; empty for None."""
    if value is None:
        return ""
    local = value.astimezone(LOCAL)
    return f"{date_nl(local.date())} om {local:%H:%M}"


def number_nl(value: int) -> str:
    """`12.345`."""
    return f"{value:,}".replace(",", ".")


def found_text(total: int) -> str:
    """`12 ondernemingen gevonden`, `1 onderneming gevonden`, `Geen ondernemingen gevonden`."""
    if total == 0:
        return "Geen ondernemingen gevonden"
    noun = "onderneming" if total == 1 else "ondernemingen"
    return f"{number_nl(total)} {noun} gevonden"


def mailto_url(address: str) -> str:
    """A `mailto:` link that opens a mail to exactly this address: characters that would
    add headers (`?`, `&`, `%`) are percent-encoded."""
    return f"mailto:{quote(address, safe='@.+-_')}"


def tel_url(phone: str) -> str:
    """A `tel:` link for a phone number: its digits and a leading `+` only."""
    digits = "".join(c for c in phone if c.isdigit())
    return f"tel:{'+' if phone.strip().startswith('+') else ''}{digits}"


def make_templates(platform_name: str = "Impact Oost") -> Jinja2Templates:
    """The page templates with Dutch filters; every variable is HTML-escaped."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        date_nl=date_nl,
        datetime_nl=datetime_nl,
        number_nl=number_nl,
        found_text=found_text,
        safe_url=web_url,
        mailto_url=mailto_url,
        tel_url=tel_url,
        label_name=label_name,
        level_text=level_text,
    )
    env.globals["label_names"] = LABEL_DISPLAY_NAMES
    env.globals["platform_name"] = platform_name
    return Jinja2Templates(env=env)
