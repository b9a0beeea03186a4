"""The editors' forms, checked field by field in Dutch: pure rules, no database.

Text is plain: it is escaped into the item's HTML (paragraphs and line breaks kept), so no
markup an editor types can reach a reader. Times are typed in Dutch time and travel in UTC.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Generic, TypeVar

from markupsafe import escape

from contracts.agenda import LOCATION_MAX
from contracts.base import deterministic_id
from contracts.hotspots import HTML_MAX, TITLE_MAX, source_link
from contracts.supplements import plain_text
from services.gateway.signin.formdata import FormFields, first
from services.kit.dutch import LOCAL

TEXT_MAX = 5000
FORM_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
CONTROL = "bevat tekens die niet zijn toegestaan (zoals besturingstekens)."
LINK_PROBLEM = "Vul een volledig webadres in dat begint met https:// of http://, of laat het leeg."
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")
_DUTCH_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")
YEARS = (2000, 2100)
T = TypeVar("T")
V = TypeVar("V")


def item_id_for(hotspot: str, form_key: str) -> str:
    """A new item's id, from the key of the form that created it: the same form posted twice
    names the same item."""
    return "ed-" + deterministic_id("editor-item", hotspot, form_key)[:24]


def text_html(text: str) -> str:
    """Plain text as HTML: escaped, blank lines as paragraphs, single breaks as `<br>`."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "".join(
        "<p>" + "<br>".join(str(escape(line)) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )


@dataclass(frozen=True)
class NewsForm:
    """The news form as typed (shown again as typed when something is wrong)."""

    title: str = ""
    text: str = ""
    link: str = ""

    @classmethod
    def from_fields(cls, fields: FormFields) -> NewsForm:
        """The form as posted."""
        return cls(first(fields, "title"), first(fields, "text"), first(fields, "link"))


@dataclass(frozen=True)
class NewsDraft:
    """A news item's checked content."""

    title: str
    text: str
    html: str
    link: str | None


@dataclass(frozen=True)
class AgendaForm:
    """The agenda form as typed."""

    title: str = ""
    text: str = ""
    location: str = ""
    link: str = ""
    all_day: bool = False
    start_date: str = ""
    start_time: str = ""
    end_date: str = ""
    end_time: str = ""

    @classmethod
    def from_fields(cls, fields: FormFields) -> AgendaForm:
        """The form as posted."""
        return cls(
            title=first(fields, "title"),
            text=first(fields, "text"),
            location=first(fields, "location"),
            link=first(fields, "link"),
            all_day=first(fields, "all_day") == "1",
            start_date=first(fields, "start_date"),
            start_time=first(fields, "start_time"),
            end_date=first(fields, "end_date"),
            end_time=first(fields, "end_time"),
        )


@dataclass(frozen=True)
class AgendaDraft:
    """An agenda item's checked content: times in UTC, or dates for an all-day item."""

    title: str
    text: str
    html: str
    location: str | None
    link: str | None
    all_day: bool
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    starts_on: date | None = None
    ends_on: date | None = None


@dataclass
class Checked(Generic[T]):
    """The outcome of checking a form: its draft, or a Dutch message per wrong field."""

    draft: T | None = None
    errors: dict[str, str] = field(default_factory=dict)


def check_news(form: NewsForm) -> Checked[NewsDraft]:
    """Check every field of the news form."""
    errors: dict[str, str] = {}
    title = _field(errors, "title", _title, form.title)
    text = _field(errors, "text", _text, (form.text, True))
    link = _field(errors, "link", _link, form.link)
    if errors or title is None or text is None:
        return Checked(errors=errors)
    return Checked(NewsDraft(title, text, text_html(text), link))


def check_agenda(form: AgendaForm) -> Checked[AgendaDraft]:
    """Check every field of the agenda form; times are Dutch time, stored in UTC."""
    errors: dict[str, str] = {}
    title = _field(errors, "title", _title, form.title)
    text = _field(errors, "text", _text, (form.text, False))
    location = _field(errors, "location", _location, form.location)
    link = _field(errors, "link", _link, form.link)
    when = _when(errors, form)
    if errors or title is None or text is None or when is None:
        return Checked(errors=errors)
    return Checked(
        AgendaDraft(
            title,
            text,
            text_html(text),
            location,
            link,
            form.all_day,
            starts_at=when.starts_at,
            ends_at=when.ends_at,
            starts_on=when.starts_on,
            ends_on=when.ends_on,
        )
    )


def local_moment(day: date, clock: time) -> datetime:
    """A Dutch wall-clock time as UTC. A time the clock skips (spring forward) is refused; a
    time that happens twice (autumn) is its first occurrence, still in summer time."""
    local = datetime.combine(day, clock, tzinfo=LOCAL)
    moment = local.astimezone(UTC)
    if moment.astimezone(LOCAL).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValueError("skipped")
    return moment


def parse_date(text: str) -> date:
    """A date as a date field sends it (2027-03-28) or as typed (28-3-2027)."""
    value = text.strip()
    found = _DUTCH_DATE.match(value)
    try:
        day = (
            date(int(found[3]), int(found[2]), int(found[1]))
            if found
            else date.fromisoformat(value)
        )
    except ValueError:
        raise ValueError("Vul een geldige datum in, zoals 28-03-2027.") from None
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise ValueError(f"Vul een datum in tussen {YEARS[0]} en {YEARS[1]}.")
    return day


def parse_time(text: str) -> time:
    """A time as a time field sends it (19:30), or typed with a dot (19.30)."""
    found = _TIME.match(text.strip())
    if not found or int(found[1]) > 23 or int(found[2]) > 59:
        raise ValueError("Vul een geldige tijd in, zoals 19:30.")
    return time(int(found[1]), int(found[2]))


@dataclass(frozen=True)
class When:
    """When an agenda item takes place: UTC times, or dates for an all-day item."""

    starts_at: datetime | None = None
    ends_at: datetime | None = None
    starts_on: date | None = None
    ends_on: date | None = None


def _when(errors: dict[str, str], form: AgendaForm) -> When | None:
    start_day = _field(errors, "start_date", _required_date, form.start_date)
    end_day = _field(errors, "end_date", _optional_date, form.end_date)
    if form.all_day:
        if start_day is None:
            return None
        if end_day is not None and end_day < start_day:
            errors["end_date"] = "De einddatum ligt voor de begindatum."
            return None
        return When(starts_on=start_day, ends_on=end_day)
    start_clock = _field(errors, "start_time", _required_time, form.start_time)
    end_clock = _field(errors, "end_time", _optional_time, form.end_time)
    if end_day is not None and end_clock is None and "end_time" not in errors:
        errors["end_time"] = "Vul ook een eindtijd in, of laat de einddatum leeg."
    if start_day is None or start_clock is None or errors.get("end_time"):
        return None
    starts_at = _field(errors, "start_time", _moment, (start_day, start_clock))
    ends_at = None
    if end_clock is not None:
        ends_at = _field(errors, "end_time", _moment, (end_day or start_day, end_clock))
    if starts_at is None or errors.get("end_time") or errors.get("end_date"):
        return None
    if ends_at is not None and ends_at < starts_at:
        errors["end_time"] = "Het einde ligt voor het begin."
        return None
    return When(starts_at=starts_at, ends_at=ends_at)


def _field(errors: dict[str, str], name: str, check: Callable[[V], T], value: V) -> T | None:
    try:
        return check(value)
    except ValueError as exc:
        errors[name] = str(exc)
        return None


def _title(text: str) -> str:
    try:
        title = plain_text(text)
    except ValueError:
        raise ValueError(f"De titel {CONTROL}") from None
    if not title:
        raise ValueError("Vul een titel in.")
    if len(title) > TITLE_MAX:
        raise ValueError(
            f"De titel mag hoogstens {TITLE_MAX} tekens lang zijn; hij is nu {len(title)} tekens."
        )
    return title


def _text(given: tuple[str, bool]) -> str:
    value, required = given
    try:
        text = plain_text(value, multiline=True)
    except ValueError:
        raise ValueError(f"De tekst {CONTROL}") from None
    if required and not text:
        raise ValueError("Vul de tekst van het bericht in.")
    if len(text) > TEXT_MAX:
        raise ValueError(
            f"De tekst mag hoogstens {TEXT_MAX} tekens lang zijn; hij is nu {len(text)} tekens."
        )
    if len(text_html(text)) > HTML_MAX:
        raise ValueError("De tekst bevat te veel leestekens als < en & om te bewaren; kort hem in.")
    return text


def _location(text: str) -> str | None:
    try:
        location = plain_text(text)
    except ValueError:
        raise ValueError(f"De locatie {CONTROL}") from None
    if len(location) > LOCATION_MAX:
        raise ValueError(f"De locatie mag hoogstens {LOCATION_MAX} tekens lang zijn.")
    return location or None


def _link(text: str) -> str | None:
    if not text.strip():
        return None
    try:
        return source_link(text)
    except ValueError:
        raise ValueError(LINK_PROBLEM) from None


def _required_date(text: str) -> date:
    if not text.strip():
        raise ValueError("Vul de datum in.")
    return parse_date(text)


def _optional_date(text: str) -> date | None:
    return parse_date(text) if text.strip() else None


def _required_time(text: str) -> time:
    if not text.strip():
        raise ValueError("Vul de begintijd in, of kies „hele dag”.")
    return parse_time(text)


def _optional_time(text: str) -> time | None:
    return parse_time(text) if text.strip() else None


def _moment(given: tuple[date, time]) -> datetime:
    try:
        return local_moment(*given)
    except ValueError:
        raise ValueError(
            "Dit tijdstip bestaat niet op die dag: de klok gaat dan van 02:00 naar 03:00. "
            "Kies een andere tijd."
        ) from None
